"""mdplan engine: plan model, reading, validation, store, progress. Never imports streamlit.

`load_plan`, `Plan` and `PlanFileError` are the engine's face. They are loaded on first use, so
the sandboxed reader worker (`python -m mdplan_core.sandbox`) does not import pandas and
pydantic just to start."""
__all__ = ["Plan", "PlanFileError", "load_plan"]


def __getattr__(name: str):
    if name in __all__:
        from . import plan
        return getattr(plan, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
