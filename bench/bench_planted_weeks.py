"""Planted weeks: a larger slice of random small sites with a planted feasible roster (tests/planted_site.py)
than `make test` runs, each put through every check of tests/planted_check.py.

    python -m bench.bench_planted_weeks     # seeds from WFM_BENCH_PLANTED_FROM (default 1000),
                                            # WFM_BENCH_PLANTED_SITES of them (default 100)

Reports how many sites passed every check (baseline: all of them), how often the solver reached a cost no
higher than the planted roster's (baseline: the planted roster itself, ratio = share of sites), and the mean
ratio of the solver's cost to the planted roster's cost. A site that fails prints its seed and findings;
`tests/planted_site.planted_site(seed, folder)` rebuilds it.
"""
from __future__ import annotations

import logging
import os
import tempfile
from pathlib import Path

from tests.planted_check import check_week
from tests.planted_site import planted_site


def run() -> list[dict]:
    first = int(os.environ.get("WFM_BENCH_PLANTED_FROM", "1000"))
    count = int(os.environ.get("WFM_BENCH_PLANTED_SITES", "100"))
    logging.getLogger("scheduler").setLevel(logging.ERROR)
    passed, at_most_planted, ratios = 0, 0, []
    with tempfile.TemporaryDirectory() as folder:
        for seed in range(first, first + count):
            site = planted_site(seed, Path(folder) / str(seed))
            check = check_week(site)
            if check.problems:
                print(f"  seed {seed}: {site.describe()}")
                for problem in check.problems[:10]:
                    print(f"    - {problem}")
            else:
                passed += 1
            if check.objective is not None and check.planted_cost:
                ratios.append(check.objective / check.planted_cost)
                at_most_planted += check.objective <= check.planted_cost + 0.01
    mean_ratio = sum(ratios) / len(ratios) if ratios else float("nan")
    return [
        {"name": "planted sites passing every check", "value": passed, "unit": "sites",
         "baseline_name": "sites", "baseline_value": count, "ratio": passed / count},
        {"name": "solved at or below the planted cost", "value": at_most_planted, "unit": "sites",
         "baseline_name": "sites solved", "baseline_value": len(ratios),
         "ratio": at_most_planted / len(ratios) if ratios else None},
        {"name": "solver cost / planted cost (mean)", "value": mean_ratio, "unit": "",
         "baseline_name": "planted roster", "baseline_value": 1.0, "ratio": mean_ratio},
    ]


if __name__ == "__main__":
    for row in run():
        print(row)
