"""Users (who may log in, in which role, for which unit) and district allocations of targets.

Revision ID: 0002
Revises: 0001
Create Date: 2024-12-06

Hand-written, like 0001: the tables are spelt out here, not imported from
mdplan_core.store (tests check the two agree). Only new tables are created; audit_log
is not touched, so its append-only triggers stay as 0001 made them (no batch operation
on it, which on SQLite would recreate the table without them).
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", sa.Integer, nullable=False, autoincrement=True),
        sa.Column("username", sa.String(64), nullable=False),
        sa.Column("display_name", sa.Text, nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("unit_code", sa.String(64), nullable=True),
        sa.Column("password_hash", sa.Text, nullable=False),
        sa.Column("active", sa.Boolean, nullable=False),
        sa.Column("failed_logins", sa.Integer, nullable=False),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("password_changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_users"),
        sa.UniqueConstraint("username", name="uq_users_username"),
        sa.CheckConstraint("role IN ('leader', 'officer', 'admin')", name="ck_users_role"),
        # An officer belongs to exactly one reporting unit; leaders and admins to none.
        sa.CheckConstraint("(role = 'officer' AND unit_code IS NOT NULL) "
                           "OR (role <> 'officer' AND unit_code IS NULL)", name="ck_users_unit"),
        # Only an argon2id hash can be stored, never a password.
        sa.CheckConstraint("password_hash LIKE '$argon2id$%'", name="ck_users_password_hash"),
        sa.CheckConstraint("failed_logins >= 0", name="ck_users_failed_logins"),
    )
    op.create_table(
        "allocations",
        sa.Column("indicator_code", sa.String(64), nullable=False),
        sa.Column("district_code", sa.String(16), nullable=False),
        sa.Column("target", sa.Integer, nullable=False),
        sa.Column("updated_by", sa.Text, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("indicator_code", "district_code", name="pk_allocations"),
        sa.CheckConstraint("target >= 0", name="ck_allocations_target"),
    )


def downgrade() -> None:
    op.drop_table("allocations")
    op.drop_table("users")
