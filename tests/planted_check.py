"""What a planted week must survive: the checks behind tests/test_planted_weeks.py and bench/bench_planted_weeks.py.

For a site with a known feasible roster (tests/planted_site.py):
- the model admits the planted roster (its shifts, breaks and sessions pinned, the rest free);
- diagnosis finds no conflict for any agent;
- `solve_roster` returns a roster, never infeasible or none;
- that roster passes every independent checker (rules and coverage);
- the objective the solver reports equals its breakdown's sum, and each term of the breakdown equals an
  independent recount from the roster alone: paid hours from shift times less unpaid activities, under-
  and over-coverage from the coverage the coverage checker verified, soft rules from their checkers;
- the solver's lower bound is no higher than the planted roster's cost (a higher bound would mean the
  model cut the planted roster off), and a roster it calls optimal costs no more than the planted one.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from ortools.sat.python import cp_model

from rules.catalogue import hard_violations, soft_penalties
from scheduler.roster import solve as solve_module
from scheduler.roster.coverage_check import check_coverage
from scheduler.roster.diagnose import find_conflicts
from scheduler.roster.lns import pin
from scheduler.roster.model import COST_SCALE, RosterModel, hinted_values
from scheduler.roster.solve import RosterResult, solve_roster
from tests.planted_site import PlantedSite

FIXED_TERMS = ("under_coverage", "over_coverage", "paid_hours_cost")
CENT = 1 / COST_SCALE


@dataclass
class WeekCheck:
    seed: int
    problems: list[str] = field(default_factory=list)
    status: str = ""
    objective: float | None = None
    planted_cost: float | None = None
    bound: float | None = None
    wall_s: float = 0.0

    def fail(self, message: str) -> None:
        self.problems.append(message)


def planted_cost(ps: PlantedSite) -> tuple[float | None, RosterResult | None]:
    """The model's cost of the planted roster: its shifts and activities pinned, the queue split and the
    cost counters left to the solver. None when the model refuses the planted roster."""
    problem = ps.problem()
    rm = RosterModel(problem)
    rm.add_rules()
    rm.add_coverage()
    rm.minimize()
    proto = rm.model.proto
    for index, value in hinted_values(rm, ps.planted).items():
        pin(proto, index, value)
    taken = {(r.agent_id, r.shift.date, a.name, a.start) for r in ps.planted for a in r.activities}
    for absence in rm.absences:
        if (absence.agent_id, absence.date, absence.name, absence.start) not in taken:
            pin(proto, absence.var.Index(), 0)
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.max_time_in_seconds = 60
    status = solver.Solve(rm.model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None, None
    result = RosterResult(solve_module.SolveReport(solver.StatusName(status), solver.ObjectiveValue() / COST_SCALE,
                                                   solver.BestObjectiveBound() / COST_SCALE, 0, None, 60, 1, 0),
                          solve_module._shifts(rm, solver), solve_module._coverage(rm, solver),
                          solve_module._allocation(rm, solver), solve_module._breakdown(rm, solver))
    return solver.ObjectiveValue() / COST_SCALE, result


def recount(ps: PlantedSite, result: RosterResult) -> tuple[dict[str, float], dict[str, float]]:
    """Each objective term recounted from the roster alone, with the rounding the model's whole cents allow."""
    site = ps.site
    weights = site.objective
    terms: dict[str, float] = defaultdict(float)
    slack: dict[str, float] = defaultdict(float)
    contracts = {c.id: c for c in site.contracts}
    agents = {a.agent_id: a for a in ps.agents}
    for entry in result.shifts:
        paid_min = entry.shift.minutes - sum(a.minutes for a in entry.activities if not a.paid)
        rate = contracts[agents[entry.agent_id].contract].cost_per_hour * weights.paid_hour_cost_weight
        if rate:
            terms["paid_hours_cost"] += rate * paid_min / 60
            slack["paid_hours_cost"] += CENT / 2
    needs = {(row.queue, row.start): int(row.agents) for row in ps.requirements.itertuples(index=False)}
    scheduled = {(row.queue, row.start): float(row.scheduled) for row in result.coverage.itertuples(index=False)}
    under = list(weights.under_coverage)
    for key, need in needs.items():
        have = scheduled.get(key, 0.0)
        missing = max(need - have, 0.0)
        cost = 0.0
        for k, weight in enumerate(under):
            share = max(missing - k, 0.0) if k == len(under) - 1 else min(max(missing - k, 0.0), 1.0)
            cost += weight * share
        if cost:
            terms["under_coverage"] += cost
            slack["under_coverage"] += CENT * max(1.0, missing * 4)
        if have > need and weights.over_coverage:
            terms["over_coverage"] += weights.over_coverage * (have - need)
            slack["over_coverage"] += CENT * max(1.0, (have - need) * 4)
    view = ps.view(result.shifts)
    for penalty in soft_penalties(ps.rules, view):
        terms[penalty.rule] += penalty.amount
        slack[penalty.rule] += CENT / 2
    return dict(terms), dict(slack)


def check_result(ps: PlantedSite, result: RosterResult, check: WeekCheck) -> None:
    """The returned roster against every checker, and its reported cost against the recount."""
    view = ps.view(result.shifts)
    for violation in hard_violations(ps.rules, view):
        check.fail(f"roster breaks {violation.rule}: {violation.agent_id} {violation.date} {violation.message}")
    for violation in check_coverage(result.shifts, view.agents, ps.site.interval_min, result.allocation,
                                    result.coverage):
        check.fail(f"coverage claim: {violation.message}")
    objective = result.report.objective
    total = sum(result.breakdown.values())
    if objective is None or abs(objective - total) > 1e-6:
        check.fail(f"reported objective {objective} is not its breakdown's sum {total:.4f}")
    terms, slack = recount(ps, result)
    for name in sorted(set(terms) | set(result.breakdown)):
        reported, counted = result.breakdown.get(name, 0.0), terms.get(name, 0.0)
        if abs(reported - counted) > slack.get(name, 0.0) + 1e-6:
            check.fail(f"term {name}: solver reports {reported:.4f}, the roster's recount gives {counted:.4f}")


def check_week(ps: PlantedSite) -> WeekCheck:
    import time
    check = WeekCheck(ps.seed)
    started = time.perf_counter()
    for violation in ps.planted_violations():
        check.fail(f"planted roster breaks {violation.rule}: {violation.agent_id} {violation.date} {violation.message}")
    if check.problems:
        return check        # the generator's fault, or a checker's: nothing below would mean anything
    cost, planted = planted_cost(ps)
    if cost is None:
        check.fail("the model refuses the planted roster")
    else:
        check.planted_cost = cost
        check_result(ps, planted, check)
    problem = ps.problem()
    for conflict in find_conflicts(problem):
        check.fail(f"diagnosis names a conflict: {conflict.message()}")
    try:
        result = solve_roster(problem)
    except Exception as exc:        # a solve that raises has returned no roster: that is the finding
        check.fail(f"solve_roster raised {type(exc).__name__}: {exc}")
        return check
    check.status, check.objective, check.bound = result.report.status, result.report.objective, result.report.best_bound
    check.wall_s = time.perf_counter() - started
    if result.report.status not in ("OPTIMAL", "FEASIBLE"):
        check.fail(f"solver status {result.report.status} on a week with a planted roster")
        return check
    check_result(ps, result, check)
    if cost is not None:
        if result.report.best_bound is not None and result.report.best_bound > cost + 0.01:
            check.fail(f"bound {result.report.best_bound:.2f} is above the planted roster's cost {cost:.2f}")
        if result.report.status == "OPTIMAL" and result.report.objective > cost + 0.01:
            check.fail(f"'optimal' roster costs {result.report.objective:.2f}, the planted one {cost:.2f}")
    return check
