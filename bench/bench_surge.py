"""Surge re-plan speed at size: a 200-agent and a 1,000-agent day of the generated scale site.

The published week is the scale site's start roster (greedy shifts, breaks placed for coverage). At 10:30
on Monday voice runs 30% above its requirement for the rest of the day; the surge plan re-plans it under
the default intraday policy and is timed from model build to the checked roster, beside the from-scratch
re-solve of the same day with the same limit, measured in the same run.

    python -m bench.bench_surge              # WFM_BENCH_SURGE_AGENTS=200,1000 WFM_BENCH_SURGE_LIMITS=5,20
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import os
import time
from zoneinfo import ZoneInfo

import pandas as pd

from bench.scale_site import WEEK_START, scale_problem, scale_requirements
from scheduler.intraday.policy import IntradayPolicy
from scheduler.intraday.replan import Mode, replan_once, day_frame, replan_day
from scheduler.roster.model import RosterModel
from scheduler.roster.solve import _shifts, start_roster
from scheduler.roster import lns

log = logging.getLogger(__name__)
SURGE = 1.3


CHUNK = 200     # agents rostered together for the published week (a 1,000-agent start at once is too slow)


def published_week(agents: int):
    """The scale site's week for `agents` agents and its start roster, built in chunks of agents that each
    cover their share of the volume (the re-plan, not the weekly plan, is what is measured here)."""
    problem = scale_problem(agents, time_limit_s=60.0, volume=agents / 300)
    roster = []
    for first in range(0, agents, CHUNK):
        people = problem.agents[first:first + CHUNK]
        share = dataclasses.replace(problem, agents=people,
                                    requirements=scale_requirements(problem.site, volume=len(people) / 300))
        rm = RosterModel(share)
        rm.add_rules()
        rm.add_coverage()
        rm.minimize()
        roster += _shifts(rm, lns.fixed_solver(rm.model, start_roster(rm)))
    return problem, roster


def _short_hours(replan, requirements: pd.DataFrame, interval_min: int) -> float:
    merged = requirements.merge(replan.result.coverage[["queue", "start", "scheduled"]], on=["queue", "start"], how="left")
    return float((merged["agents"] - merged["scheduled"].fillna(0)).clip(lower=0).sum() * interval_min / 60)


def run() -> list[dict]:
    sizes = [int(x) for x in os.environ.get("WFM_BENCH_SURGE_AGENTS", "200,1000").split(",")]
    limits = [float(x) for x in os.environ.get("WFM_BENCH_SURGE_LIMITS", "5,20").split(",")]
    aims = {200: 10.0, 1000: 60.0}
    rows = []
    for agents, limit in zip(sizes, limits):
        started = time.perf_counter()
        problem, roster = published_week(agents)
        site = problem.site
        print(f"  {agents} agents: published week of {len(roster)} shifts in {time.perf_counter() - started:.0f} s")
        now = dt.datetime.combine(WEEK_START, dt.time(10, 30), ZoneInfo(site.timezone))
        day = day_frame(problem.dates, now, IntradayPolicy())
        published = problem.requirements[(problem.requirements["start"].dt.date == WEEK_START)
                                         & (problem.requirements["start"] >= pd.Timestamp(now))].reset_index(drop=True)
        # The published roster meets what it covers; the surge asks 30% more of voice from now on.
        end_of_day = dt.datetime.combine(WEEK_START + dt.timedelta(days=1), dt.time(), now.tzinfo)
        covered = replan_once(Mode("hold", end_of_day), site, problem.agents, [], roster, published, day,
                         IntradayPolicy(), 5.0).result.coverage
        published = published.merge(covered[["queue", "start", "scheduled"]], on=["queue", "start"], how="left")
        published["agents"] = published[["agents", "scheduled"]].min(axis=1).fillna(0).astype(int)
        published = published.drop(columns="scheduled")
        surged = published.copy()
        voice = surged["queue"] == "voice"
        surged.loc[voice, "agents"] = (surged.loc[voice, "agents"] * SURGE).round().astype(int)
        replans = replan_day(site, problem.agents, [], roster, surged, published, day, IntradayPolicy(), limit,
                             with_scratch=True, surge_queues=frozenset({"voice"}))
        plan, scratch = replans["plan"], replans["scratch"]
        for name, replan in (("surge plan", plan), ("from scratch", scratch)):
            print(f"    {name}: {replan.result.report.wall_s:.1f} s solve ({replan.wall_s:.1f} s with model build and "
                  f"checks), {replan.changed_agents} agents changed, {_short_hours(replan, surged, site.interval_min):.1f} "
                  f"agent-hours short (no action: {_short_hours(replans['hold'], surged, site.interval_min):.1f}), "
                  f"{len(replan.violations)} violations")
        rows.append({"name": f"re-plan a {agents}-agent day, wall s (limit {limit:g} s, aim {aims.get(agents, '-')} s)",
                     "value": plan.wall_s, "unit": "s", "baseline_name": "from-scratch re-solve, same limit",
                     "baseline_value": scratch.wall_s, "ratio": plan.wall_s / scratch.wall_s})
        rows.append({"name": f"{agents}-agent day: agents whose day changed", "value": float(plan.changed_agents),
                     "unit": "agents", "baseline_name": "from-scratch re-solve",
                     "baseline_value": float(scratch.changed_agents),
                     "ratio": plan.changed_agents / max(scratch.changed_agents, 1)})
    return rows


if __name__ == "__main__":
    logging.basicConfig(level=logging.WARNING)
    for row in run():
        print(row)
