"""mdplan engine: plan model, reading, validation, store, progress. Never imports streamlit."""
from mdplan_core.plan import Plan, PlanFileError, load_plan

__all__ = ["Plan", "PlanFileError", "load_plan"]
