"""Fairness before/after on the sample site: the same week planned with and without the fairness term.

Prints, for each of the four fairness measures (weekends worked, late shifts, unmet preferences as a
share of requests made, extra hours above a banded contract's minimum), the spread and standard
deviation across agents (this week, and including the past weeks of the ledger) beside the run
without the term; then, per measure, the correlation across agents between their past load (per
week, or share of requests denied) and this week's — negative means this week's load went to those
who had carried least, which moves well before the spreads do; then the objective by term.

    python -m bench.bench_fairness      # time limit per plan from WFM_BENCH_FAIRNESS_S (default 60)

WFM_BENCH_FAIRNESS_SEARCH picks the roster search: `deterministic` (default: the seeded
neighbourhood search `plan` uses) or `parallel` (CP-SAT's own multi-threaded search). On the sample
week at 60 s on two cores the parallel search is still far from covering the week (under-coverage
87k-139k against 1.5k for the deterministic one), so its fairness differences are noise.
"""
from __future__ import annotations

import dataclasses
import os

import pandas as pd

from pipeline.inputs import load_inputs
from pipeline.plan import run_plan
from pipeline.plan import PlanOutcome
from reports.tables import fairness_ledger_table, fairness_summary
from rules.agents_file import load_ledger
from rules.fairness import Fairness


def steering(outcome: PlanOutcome) -> dict[str, float]:
    """Per measure: correlation across agents between past load and this week's load."""
    ledger = fairness_ledger_table(outcome).set_index("agent_id")
    site = outcome.inputs.site
    past = pd.DataFrame.from_dict(load_ledger(site.files["fairness_ledger"]), orient="index").reindex(
        index=ledger.index, columns=ledger.columns).fillna(0)
    week = ledger - past
    contracts = {a.agent_id: site.contract(a.contract) for a in outcome.inputs.agents}
    late_ids = {t.id for t in site.shift_templates if t.late}
    can_late = [a for a, c in contracts.items() if late_ids & set(c.shift_templates)]
    banded = [a for a, c in contracts.items() if c.max_hours_week > c.min_hours_week]
    asked = week.index[week["preferences_asked"] > 0]
    weeks = past["weeks"].clip(lower=1)
    pairs = {
        "weekends worked": (past["weekends_worked"] / weeks, week["weekends_worked"]),
        "late shifts": ((past["late_shifts"] / weeks)[can_late], week.loc[can_late, "late_shifts"]),
        "unmet preferences": ((past["preferences_unmet"] / past["preferences_asked"].clip(lower=1))[asked],
                              (week["preferences_unmet"] / week["preferences_asked"])[asked]),
        "extra hours": ((past["extra_hours"] / weeks)[banded], week.loc[banded, "extra_hours"]),
    }
    return {measure: float(x.astype(float).corr(y.astype(float))) for measure, (x, y) in pairs.items()}


def run() -> list[dict]:
    limit = float(os.environ.get("WFM_BENCH_FAIRNESS_S", "60"))
    inputs = load_inputs()
    search = os.environ.get("WFM_BENCH_FAIRNESS_SEARCH", "deterministic")
    if search not in ("deterministic", "parallel"):
        raise SystemExit(f"WFM_BENCH_FAIRNESS_SEARCH={search!r}: use deterministic or parallel")
    solver = dataclasses.replace(inputs.site.solver, deterministic=search == "deterministic")
    inputs = dataclasses.replace(inputs, site=dataclasses.replace(inputs.site, solver=solver))
    without = dataclasses.replace(inputs, rules=[r for r in inputs.rules if not isinstance(r, Fairness)])
    fair_outcome = run_plan(inputs, time_limit_s=limit, forecast_db=None)
    plain_outcome = run_plan(without, time_limit_s=limit, forecast_db=None)
    fair = fairness_summary(fair_outcome).set_index(["measure", "over"])
    plain = fairness_summary(plain_outcome).set_index(["measure", "over"])
    columns = ["spread (max-min)", "std"]
    table = fair[columns].join(plain[columns].rename(columns=lambda c: f"{c} (no fairness)"))
    steer = pd.DataFrame({"with fairness": steering(fair_outcome), "without": steering(plain_outcome)})
    with pd.option_context("display.width", 200, "display.precision", 3):
        print(f"time limit {limit:g} s per plan, {search} search")
        print(table.to_string())
        print("correlation of past load with this week's load, across agents")
        print(steer.to_string())
        costs = pd.DataFrame({"with fairness": fair_outcome.roster.breakdown,
                              "without": plain_outcome.roster.breakdown}).fillna(0.0)
        costs.loc["total"] = costs.sum()
        print(costs.round(2).to_string())
    rows = []
    for measure, over in fair.index:
        for column in ("spread (max-min)", "std"):
            ours, base = float(fair.loc[(measure, over), column]), float(plain.loc[(measure, over), column])
            rows.append({"name": f"{measure} {over}: {column}", "value": ours, "unit": "",
                         "baseline_name": "without the fairness term", "baseline_value": base,
                         "ratio": ours / base if base else float("nan")})
    for measure, (ours, base) in steer.iterrows():
        rows.append({"name": f"{measure}: correlation of past and this week's load", "value": ours, "unit": "",
                     "baseline_name": "without the fairness term", "baseline_value": base, "ratio": float("nan")})
    return rows


if __name__ == "__main__":
    for row in run():
        print(row)
