"""At least N days off in a row: no single loose days off between working stretches.

YAML:
    - {rule: min_consecutive_days_off, days: 2}                      # runs touching the period's ends are exempt
    - {rule: min_consecutive_days_off, days: 2, exempt_edges: false} # those count too, cut at the period's ends
    - {rule: min_consecutive_days_off, days: 2, soft: true, weight: 20}   # 20 per short stretch off
"""
from __future__ import annotations

from rules.min_consecutive_days import MinRun


class MinConsecutiveDaysOff(MinRun):
    kind = "min_consecutive_days_off"
    working = False
    run_text = "days off in a row"
    short_text = "only {n} day(s) off in a row"
