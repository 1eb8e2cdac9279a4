"""Run scenarios: each one a whole plan (staffing, roster, checks, simulation) on its changed copy of the site.

The unit of work is `run_scenario(task)`: it plans, measures the plan and renders
the plan's own files (report, CSVs, XLSX) as bytes, so the parent writes every
file at the end (all or nothing) wherever the work ran: a local process or a
Dask worker on another machine. A scenario that fails (e.g. rules that cannot
hold after agents were removed) fails alone; the table says why.
"""
from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import tempfile
import time
import traceback
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import pandas as pd

from common.errors import InputError
from pipeline.inputs import SiteInputs
from pipeline.plan import ForecastUsed, PlanOutcome, run_plan
from scenarios.apply import with_headcount
from scenarios.spec import Scenario

log = logging.getLogger(__name__)

BASE = "base"


@dataclass
class ScenarioTask:
    name: str
    changes: str
    inputs: SiteInputs                 # already changed by the scenario
    forecast: ForecastUsed             # already scaled by the scenario
    week_start: dt.date
    time_limit_s: float | None
    solver_threads: int
    scenario: Scenario | None = None   # None for the base


@dataclass
class ScenarioResult:
    name: str
    changes: str
    status: str                                        # ok | failed
    error: str = ""
    metrics: dict = field(default_factory=dict)        # one flat row of the comparison
    queues: pd.DataFrame = field(default_factory=pd.DataFrame)   # per-queue service measures
    files: dict[str, bytes] = field(default_factory=dict)        # the plan's own files, by name
    steps: list[dict] = field(default_factory=list)    # headcount search: one row per plan tried
    wall_s: float = 0.0
    worker: str = ""


def goal_share(queue) -> float | None:
    """The share the queue's goal asks for: the service level, or a deadline queue's on-time share."""
    goal = queue.service_goal
    return goal.deadline_share if goal.deadline_s else goal.service_level


def meets_goals(outcome: PlanOutcome) -> bool:
    """Every queue's projected (formula) service level reaches its goal and no hard rule is broken."""
    site = outcome.inputs.site
    summary = outcome.summary.set_index("queue")
    for queue in site.queues:
        target = goal_share(queue)
        if target is not None and summary.loc[queue.id, "projected_sl"] < target - 1e-9:
            return False
    return not outcome.violations


def solver_words(outcome: PlanOutcome) -> str:
    report = outcome.roster.report
    if report.proved_optimal:
        return "proved optimal"
    if report.gap is not None and report.gap < 0.9999:
        return f"within {report.gap:.1%} of the best bound"
    return f"stopped by the {report.time_limit_s:g} s limit, no useful bound"


def plan_metrics(outcome: PlanOutcome) -> tuple[dict, pd.DataFrame]:
    """The comparison's measures of one plan: a flat row, and per-queue service measures."""
    from reports.tables import fairness_summary

    site = outcome.inputs.site
    contracts = {c.id: c for c in site.contracts}
    agents = {a.agent_id: a for a in outcome.inputs.agents}
    paid = sum(s.paid_minutes for s in outcome.roster.shifts) / 60
    cost = sum(s.paid_minutes / 60 * contracts[agents[s.agent_id].contract].cost_per_hour
               for s in outcome.roster.shifts)
    evaluation = outcome.evaluation
    required = evaluation["agents"].to_numpy(float)
    scheduled = evaluation["scheduled"].to_numpy(float)
    fte_hours = max(c.max_hours_week for c in site.contracts) or 40.0
    report = outcome.roster.report
    breakdown = outcome.roster.breakdown
    fairness = fairness_summary(outcome)
    week = fairness[fairness["over"] == "this week"].set_index("measure")["spread (max-min)"]
    row = {
        "agents": len(outcome.inputs.agents),
        "rostered agents": len({s.agent_id for s in outcome.roster.shifts}),
        "required FTE": float(required.sum() * site.interval_min / 60 / fte_hours),
        "paid hours": paid,
        "labour cost": cost,
        "penalty points": float(sum(v for k, v in breakdown.items() if k != "paid_hours_cost")),
        "coverage": float(np.minimum(required, scheduled).sum() / required.sum()) if required.sum() else 1.0,
        "intervals short": int((scheduled < required - 1e-9).sum()),
        "over-staffed agent-hours": float(np.clip(scheduled - required, 0, None).sum() * site.interval_min / 60),
        "spread weekends": float(week.get("weekends worked", np.nan)),
        "spread late shifts": float(week.get("late shifts", np.nan)),
        "spread unmet preferences": float(week.get("unmet preferences (share of requests)", np.nan)),
        "spread extra hours": float(week.get("extra hours above contract minimum", np.nan)),
        "rule violations": len(outcome.violations),
        "goals met": meets_goals(outcome),
        "solver": solver_words(outcome),
        "solver status": report.status,
        "gap": report.gap,
        "plan seconds": float(sum(outcome.stage_seconds.values())),
    }
    queues = outcome.summary[["queue", "projected_sl", "simulated_sl", "projected_asa_s", "simulated_asa_s",
                              "projected_abandon", "simulated_abandon", "projected_occupancy", "coverage",
                              "intervals_short"]].copy()
    queues["goal"] = [goal_share(site.queue(q)) for q in queues["queue"]]
    for q in queues.itertuples(index=False):
        row[f"{q.queue} projected SL"] = q.projected_sl
        row[f"{q.queue} simulated SL"] = q.simulated_sl
        row[f"{q.queue} projected ASA s"] = q.projected_asa_s
        row[f"{q.queue} simulated ASA s"] = q.simulated_asa_s
        row[f"{q.queue} projected abandon"] = q.projected_abandon
        row[f"{q.queue} simulated abandon"] = q.simulated_abandon
    return row, queues


def plan_files(outcome: PlanOutcome) -> dict[str, bytes]:
    """The plan's own output files (as `plan` writes them), read back as bytes."""
    from reports.write import write_plan

    with tempfile.TemporaryDirectory(prefix="wfm-scenario-") as folder:
        paths = write_plan(outcome, Path(folder) / "plan")
        return {p.name: p.read_bytes() for p in paths}


def _plan(task: ScenarioTask, inputs: SiteInputs) -> PlanOutcome:
    return run_plan(inputs, task.week_start, task.time_limit_s, forecast=task.forecast)


def run_scenario(task: ScenarioTask) -> ScenarioResult:
    """Plan one scenario (or search its headcount); failures become a failed result, never an exception."""
    from forecast.threads import blas_threads

    started = time.perf_counter()
    result = ScenarioResult(task.name, task.changes, "failed", worker=f"{socket.gethostname()}:{os.getpid()}")
    site = task.inputs.site
    inputs = replace(task.inputs, site=replace(site, solver=replace(site.solver, workers=task.solver_threads)))
    try:
        with blas_threads(1):
            search = task.scenario.solve_for if task.scenario is not None else None
            if search is None:
                outcome = _plan(task, inputs)
            else:
                outcome, result.steps = headcount_search(task, inputs)
            result.metrics, result.queues = plan_metrics(outcome)
            if result.steps:
                answer = next((s for s in result.steps if s["answer"]), None)
                below = next((s for s in result.steps if answer and s["headcount"] == answer["headcount"] - 1), None)
                result.metrics["headcount answer"] = answer["headcount"] if answer else None
                result.metrics["headcount search"] = _search_line(task.scenario.solve_for.contract, answer, below,
                                                                  result.steps)
            result.files = plan_files(outcome)
        result.status = "ok"
    except InputError as exc:
        result.error = exc.message
    except Exception as exc:   # one scenario's bug must not lose the others
        result.error = f"{type(exc).__name__}: {exc}"
        log.debug("scenario %s failed:\n%s", task.name, traceback.format_exc())
    result.wall_s = time.perf_counter() - started
    return result


def _search_line(contract: str, answer: dict | None, below: dict | None, steps: list[dict]) -> str:
    worst = lambda s: f"{s['lowest SL queue']} SL {s['lowest SL']:.1%} against its goal {s['lowest SL goal']:.0%}"
    if answer is None:
        top = max(steps, key=lambda s: s["headcount"])
        return (f"no headcount of {contract} up to {top['headcount']} meets every goal "
                f"(at {top['headcount']}: {worst(top)}, cost {top['labour cost']:,.0f})")
    text = (f"least {contract} headcount meeting every goal: {answer['headcount']} "
            f"(closest to its goal: {worst(answer)}; labour cost {answer['labour cost']:,.0f})")
    if below is not None:
        text += (f"; at {below['headcount']}: {worst(below)}, "
                 f"labour cost {below['labour cost']:,.0f}, goals {'met' if below['goals met'] else 'not met'}")
    return text + f"; {len(steps)} plans"


def headcount_search(task: ScenarioTask, inputs: SiteInputs) -> tuple[PlanOutcome, list[dict]]:
    """The least headcount of the contract whose plan meets every goal, by bisection over full plans.

    Assumes more agents never make the goals harder to meet. The plan one below the
    answer is always run too, so the table shows what one agent fewer costs in service.
    """
    search = task.scenario.solve_for
    have = sum(1 for a in inputs.agents if a.contract == search.contract)
    tried: dict[int, tuple[bool, PlanOutcome, dict]] = {}

    def evaluate(count: int) -> bool:
        if count not in tried:
            agents = with_headcount(inputs.agents, inputs.site, search.contract, count)
            changed = replace(inputs, agents=agents, time_off=[t for t in inputs.time_off
                                                               if t.agent_id in {a.agent_id for a in agents}])
            clock = time.perf_counter()
            outcome = _plan(task, changed)
            row, queues = plan_metrics(outcome)
            ok = meets_goals(outcome)
            lowest = (queues["projected_sl"] - queues["goal"].fillna(0)).idxmin()
            tried[count] = (ok, outcome, {
                "headcount": count, "goals met": ok, "lowest SL": float(queues.loc[lowest, "projected_sl"]),
                "lowest SL queue": str(queues.loc[lowest, "queue"]),
                "lowest SL goal": float(queues.loc[lowest, "goal"]), "labour cost": row["labour cost"],
                "paid hours": row["paid hours"], "intervals short": row["intervals short"],
                "seconds": time.perf_counter() - clock})
            log.info("  headcount %s %d: goals %s", search.contract, count, "met" if ok else "not met")
        return tried[count][0]

    start = min(max(have, search.low), search.high)
    if evaluate(start):
        lo, hi = search.low - 1, start           # lo fails (assumed below the range), hi meets
    elif evaluate(search.high):
        lo, hi = start, search.high
    else:
        lo, hi = search.high, None
    while hi is not None and hi - lo > 1:
        mid = (lo + hi) // 2
        if evaluate(mid):
            hi = mid
        else:
            lo = mid
    if hi is not None and hi - 1 >= 0:
        evaluate(hi - 1)
    steps = [dict(tried[c][2], answer=(c == hi)) for c in sorted(tried)]
    shown = tried[hi][1] if hi is not None else tried[search.high][1]
    return shown, steps
