"""Tests for mdplan_core.vntext, one file per module of the package."""
