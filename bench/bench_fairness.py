"""Fairness before/after on the sample site: the same week planned with and without the fairness term.

Prints, for weekends worked and late shifts, the spread across agents (this week, and including the
past weeks of the ledger), beside the run without the term.

    python -m bench.bench_fairness      # time limit per plan from WFM_BENCH_FAIRNESS_S (default 60)
"""
from __future__ import annotations

import dataclasses
import os

from pipeline.inputs import load_inputs
from pipeline.plan import run_plan
from reports.tables import fairness_summary
from rules.fairness import Fairness


def run() -> list[dict]:
    limit = float(os.environ.get("WFM_BENCH_FAIRNESS_S", "60"))
    inputs = load_inputs()
    # CP-SAT's own parallel search: on this week the deterministic search does not yet move far from its
    # greedy start (which ignores fairness), so it would show no difference either way.
    solver = dataclasses.replace(inputs.site.solver, deterministic=False)
    inputs = dataclasses.replace(inputs, site=dataclasses.replace(inputs.site, solver=solver))
    without = dataclasses.replace(inputs, rules=[r for r in inputs.rules if not isinstance(r, Fairness)])
    fair = fairness_summary(run_plan(inputs, time_limit_s=limit, forecast_db=None)).set_index(["measure", "over"])
    plain = fairness_summary(run_plan(without, time_limit_s=limit, forecast_db=None)).set_index(["measure", "over"])
    print(fair.join(plain, rsuffix=" (no fairness)").to_string())
    rows = []
    for measure, over in fair.index:
        for column in ("spread (max-min)", "std"):
            ours, base = float(fair.loc[(measure, over), column]), float(plain.loc[(measure, over), column])
            rows.append({"name": f"{measure} {over}: {column}", "value": ours, "unit": "",
                         "baseline_name": "without the fairness term", "baseline_value": base,
                         "ratio": ours / base if base else float("nan")})
    return rows


if __name__ == "__main__":
    for row in run():
        print(row)
