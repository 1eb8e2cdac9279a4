"""Intraday: re-plan the rest of today when contacts run away from the forecast (the surge planner)."""
