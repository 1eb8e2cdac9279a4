"""Managers' what-if scenarios: changed copies of the base site, planned side by side."""
