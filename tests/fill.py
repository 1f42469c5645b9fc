"""The officer-simulating filler now lives in `mdplan_core.filling` (the demo uses it too)."""
from mdplan_core.filling import *  # noqa: F401,F403
