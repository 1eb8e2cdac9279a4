"""A feasible first roster, one employee at a time (every hard rule binds one employee).

Each employee's roster is built in two stages, both exact about the rules:

1. the work/off pattern, by dynamic programming over the days: the states are the
   run rules' automaton (work or off, run length so far, whether the run began on
   day 0), the days off are forced, and for every state the DP keeps, as one big
   integer used as a bit set, every (weekends worked, days worked) pair some
   pattern reaches. Walking back from a final pair whose days-worked count can
   meet the minutes window with the allowed types (and whose weekends are within
   the cap) gives a pattern that keeps every run rule, the edge exemptions
   included, preferring to work on the days the cover still needs;
2. the shifts on those days, by CP-SAT on the employee's own catalogue model
   (successions, max shifts per type, total minutes, everything) with the
   pattern fixed: small and fast, and the final word on feasibility.

CP-SAT alone on a year-long employee (364 days, a minutes window of a shift or
two, a weekend cap) often finds nothing in seconds; the DP does the part it is
bad at. When the pattern's shifts cannot meet the minutes or the caps, other
day counts are tried, then the employee's whole model is solved by CP-SAT. An
employee whose own model CP-SAT proves infeasible makes the instance infeasible
(cover is soft, so nothing else can); one for which nothing is found within the
budget leaves the start unfinished (no roster found within the limit), never
"infeasible".

Later passes re-roster each employee against everyone else's shifts (an exact
best response, hinted with their current roster) while the budget lasts.
Single-threaded and stopped by deterministic time, so it is reproducible.
"""
from __future__ import annotations

import math
import random
import time
from collections import defaultdict
from dataclasses import dataclass, field

from ortools.sat.python import cp_model

from scheduler.curtois.importer import CurtoisProblem
from scheduler.curtois.instance import Staff
from scheduler.curtois.model import catalogue_model
from scheduler.curtois.sat import Deadline

SATURDAY, SUNDAY = 5, 6


@dataclass
class StartResult:
    roster: dict[str, list[str | None]] | None
    status: str                     # FEASIBLE, INFEASIBLE (an employee's own model proved so), UNKNOWN
    message: str = ""
    det_time: float = 0.0
    passes: int = 0
    unsolved: list[str] = field(default_factory=list)
    first_at: float | None = None   # time.perf_counter() when every employee first had a roster (pass one)


class Patterns:
    """Work/off patterns of one employee that keep the run rules, the days off and the weekend cap."""

    def __init__(self, horizon: int, staff: Staff, days_off: set[int]):
        self.horizon = horizon
        self.max_run = max(0, staff.max_consecutive)
        self.low = {"W": max(1, staff.min_consecutive), "O": max(1, staff.min_days_off)}
        self.max_weekends = staff.max_weekends
        self.days_off = days_off
        self.stride = horizon + 2              # bit (weekends * stride + worked) of a reach set
        weekends = horizon // 7 + 1
        self.mask = sum(((1 << (horizon + 1)) - 1) << (w * self.stride)
                        for w in range(min(weekends, self.max_weekends) + 1))
        self.reach: list[dict[tuple, int]] = []
        self._forward()

    def _norm(self, symbol: str, run: int, first: bool) -> tuple:
        run = min(run, self.low["O"]) if symbol == "O" else run
        return symbol, run, first and run < self.low[symbol]

    def _moves(self, state: tuple) -> list[tuple]:
        symbol, run, first = state
        moves = []
        if symbol == "O" or run < self.max_run:
            moves.append(self._norm(symbol, run + 1, first))
        if first or run >= self.low[symbol]:
            moves.append(self._norm("O" if symbol == "W" else "W", 1, False))
        return moves

    def _weekend(self, day: int, symbol: str, previous: str | None) -> int:
        """1 when working `day` starts a newly worked weekend."""
        weekday = day % 7
        return int(symbol == "W" and (weekday == SATURDAY or (weekday == SUNDAY and previous != "W")))

    def _shift(self, day: int, symbol: str, previous: str | None) -> int:
        return (symbol == "W") + self._weekend(day, symbol, previous) * self.stride

    def _forward(self) -> None:
        reach: dict[tuple, int] = {}
        for symbol in "WO":
            if symbol == "W" and (0 in self.days_off or self.max_run < 1):
                continue
            reach[self._norm(symbol, 1, True)] = (1 << self._shift(0, symbol, None)) & self.mask
        self.reach.append(reach)
        for day in range(1, self.horizon):
            nxt: dict[tuple, int] = defaultdict(int)
            for state, bits in reach.items():
                if not bits:
                    continue
                for target in self._moves(state):
                    if target[0] == "W" and day in self.days_off:
                        continue
                    nxt[target] |= (bits << self._shift(day, target[0], state[0])) & self.mask
            reach = {s: b for s, b in nxt.items() if b}
            self.reach.append(reach)

    def counts(self) -> set[int]:
        """Every number of days worked some pattern reaches."""
        found = set()
        full = (1 << (self.horizon + 1)) - 1
        for bits in self.reach[-1].values():
            while bits:
                part = bits & full
                found |= {c for c in range(self.horizon + 1) if part >> c & 1}
                bits >>= self.stride
        return found

    def pattern(self, worked: int, value: list[float], rng: random.Random) -> list[bool] | None:
        """A pattern with exactly `worked` working days, walked back from the end choosing, day by day, work
        where `value` is high and off where it is low (random among equals); None if there is none."""
        last = self.horizon - 1
        finals = [(state, w) for state, bits in self.reach[last].items()
                  for w in range(self.max_weekends + 1) if bits >> (w * self.stride + worked) & 1]
        if not finals:
            return None
        state, w = rng.choice(finals)
        c = worked
        flags = [False] * self.horizon
        for day in range(last, 0, -1):
            flags[day] = state[0] == "W"
            options = []
            for previous, bits in self.reach[day - 1].items():
                if state not in self._moves(previous):
                    continue
                step = self._shift(day, state[0], previous[0])
                before = w * self.stride + c - step
                if before >= 0 and bits >> before & 1:
                    options.append(previous)
            # Prefer the previous day's symbol its value asks for; the run lengths follow from the choice.
            want = "W" if value[day - 1] > 0 else "O"
            preferred = [p for p in options if p[0] == want] or options
            previous = rng.choice(preferred)
            step = self._shift(day, state[0], previous[0])
            c -= step % self.stride
            w -= step // self.stride
            state = previous
        flags[0] = state[0] == "W"
        return flags


def _minutes_reach(staff: Staff, lengths: dict[str, int], horizon: int, worked: int) -> tuple[int, int]:
    """Fewest and most minutes `worked` shifts can add up to within the per-type maxima."""
    allowed = sorted((lengths[t], min(horizon, staff.max_shifts.get(t, horizon))) for t in lengths
                     if staff.max_shifts.get(t, horizon) > 0)

    def fill(order) -> int | None:
        left, total = worked, 0
        for length, cap in order:
            take = min(cap, left)
            total += take * length
            left -= take
        return total if left == 0 else None

    low, high = fill(allowed), fill(allowed[::-1])
    return (low, high) if low is not None else (1 << 60, -1)


def assign_types(flags: list[bool], types: dict[str, int], follows: dict[str, set[str]], caps: dict[str, int],
                 low: int, high: int, value: list[dict[str, float]], rng: random.Random,
                 room_first: bool = False) -> list[str | None] | None:
    """Shift types for the worked days of a pattern: no forbidden succession inside a run, total minutes in
    [low, high], preferring valuable types and keeping to the per-type maxima where it can (they are not in
    the DP; the caller checks the result on the exact model). `types`: id -> minutes of the types the
    employee may work; `follows[t]`: types that may be worked the day after t. With `room_first` the walk
    prefers the types furthest from their maximum before the valuable ones. None if the minutes cannot be
    met."""
    worked = [d for d, f in enumerate(flags) if f]
    if not worked:
        return [None] * len(flags) if low <= 0 <= high else None
    unit = 0
    for minutes in types.values():
        unit = math.gcd(unit, minutes)
    steps = {t: m // unit for t, m in types.items()}
    top = high // unit
    full = (1 << (top + 1)) - 1
    ids = sorted(types)
    # reach[i][t]: minutes totals (in units, as bits) of the first i + 1 worked days, day i worked as t.
    reach: list[dict[str, int]] = []
    for i, day in enumerate(worked):
        joined = i > 0 and worked[i - 1] == day - 1          # same run as the previous worked day
        layer = {}
        for t in ids:
            if i == 0:
                before = 1
            elif joined:
                before = 0
                for u, bits in reach[-1].items():
                    if t in follows[u]:
                        before |= bits
            else:
                before = 0
                for bits in reach[-1].values():
                    before |= bits
            bits = (before << steps[t]) & full
            if bits:
                layer[t] = bits
        if not layer:
            return None
        reach.append(layer)
    lowest = -(-low // unit)
    finals = [(t, m) for t, bits in reach[-1].items() for m in range(lowest, top + 1) if bits >> m & 1]
    if not finals:
        return None
    used: dict[str, int] = defaultdict(int)
    last_day = worked[-1]
    best = max(value[last_day].get(t, 0) for t, _ in finals)
    t, m = rng.choice([f for f in finals if value[last_day].get(f[0], 0) == best])
    days: list[str | None] = [None] * len(flags)
    for i in range(len(worked) - 1, -1, -1):
        days[worked[i]] = t
        used[t] += 1
        m -= steps[t]
        if i == 0:
            break
        joined = worked[i - 1] == worked[i] - 1
        options = [u for u, bits in reach[i - 1].items() if bits >> m & 1 and (not joined or t in follows[u])]
        # Within the maxima if possible, then the most valuable (or the most room left); random among equals.
        room = [u for u in options if used[u] < caps.get(u, len(flags))] or options
        day_value = value[worked[i - 1]]
        rank = (lambda u: (caps.get(u, len(flags)) - used[u], day_value.get(u, 0))) if room_first else (
            lambda u: (day_value.get(u, 0), 0))
        top = max(rank(u) for u in room)
        t = rng.choice([u for u in room if rank(u) == top])
    return days


class EmployeeSolver:
    """One employee's exact model (the catalogue's encodings) and the two-stage construction on it."""

    def __init__(self, cp: CurtoisProblem, agent, seed: int, deadline: Deadline | None = None):
        self.cp = cp
        self.deadline = deadline
        self.agent = agent
        self.rm = catalogue_model(cp, agents=[agent])
        self.staff = next(s for s in cp.instance.staff if s.id == agent.agent_id)
        self.seed = seed
        self._patterns: Patterns | None = None
        self.det_time = 0.0

    @property
    def patterns(self) -> Patterns:
        if self._patterns is None:
            days_off = set(self.cp.instance.days_off.get(self.agent.agent_id, ()))
            self._patterns = Patterns(self.cp.instance.horizon, self.staff, days_off)
        return self._patterns

    def _solve(self, values: dict[tuple[int, str], float], det_limit: float, fixed: list[bool] | None = None,
               hint: list[str | None] | None = None,
               exact: list[str | None] | None = None) -> tuple[int, list[str | None] | None]:
        """The employee's model maximising `values`; `fixed` pins the work/off pattern, `exact` every shift."""
        rm, agent_id = self.rm, self.agent.agent_id
        model = rm.model.clone()
        terms = []
        for day, date in enumerate(rm.dates):
            options = rm.options(agent_id, date)
            if fixed is not None:
                model.Add(sum(var for _, var in options) == int(fixed[day]))
            if exact is not None:
                if exact[day] is not None and exact[day] not in {s.template_id for s, _ in options}:
                    return cp_model.INFEASIBLE, None
                for shift, var in options:
                    model.Add(var == int(exact[day] == shift.template_id))
            for shift, var in options:
                value = round(values.get((day, shift.template_id), 0))
                if value:
                    terms.append(value * var)
                if hint is not None:
                    model.AddHint(var, hint[day] == shift.template_id)
        model.Maximize(sum(terms))
        solver = cp_model.CpSolver()
        solver.parameters.num_workers = 1
        solver.parameters.random_seed = self.seed
        solver.parameters.max_deterministic_time = det_limit
        if self.deadline is not None:
            solver.parameters.max_time_in_seconds = max(0.01, self.deadline.left())
        status = solver.Solve(model)
        if self.deadline is not None:
            self.deadline.note(solver, det_limit)
        self.det_time += solver.ResponseProto().deterministic_time
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return status, None
        days = []
        for date in rm.dates:
            chosen = [s.template_id for s, var in rm.options(agent_id, date) if solver.BooleanValue(var)]
            days.append(chosen[0] if chosen else None)
        return status, days

    def check(self, days: list[str | None]) -> bool:
        """Does the employee's exact model (the catalogue's encodings) accept this roster?"""
        status, found = self._solve({}, 1.0, exact=days)
        return found is not None

    def first(self, values: dict[tuple[int, str], float], det_limit: float,
              rng: random.Random) -> tuple[str, list[str | None] | None]:
        """(status, roster): FEASIBLE with a roster, INFEASIBLE if the employee's own model has none, UNKNOWN.

        Patterns with day counts the minutes window allows, their shifts by assign_types, each checked on
        the exact model; then CP-SAT on the exact model for `det_limit` deterministic seconds."""
        horizon = self.cp.instance.horizon
        staff = self.staff
        lengths = {s.id: s.minutes for s in self.cp.instance.shifts}
        types = {t: m for t, m in lengths.items() if staff.max_shifts.get(t, horizon) > 0}
        forbidden = {s.id: set(s.cannot_follow) for s in self.cp.instance.shifts}
        follows = {t: {u for u in types if u not in forbidden[t]} for t in types}
        caps = {t: staff.max_shifts.get(t, horizon) for t in types}
        value = [{t: values.get((d, t), 0) for t in types} for d in range(horizon)]
        day_value = [max(v.values(), default=0) for v in value]
        counts = sorted(self.patterns.counts())
        fits = []
        for n in counts:
            lo, hi = _minutes_reach(staff, lengths, horizon, n)
            if lo <= staff.max_minutes and hi >= staff.min_minutes:
                fits.append(n)
        # Middle counts first: the window's ends are where the shifts' lengths are least likely to fit.
        middle = (fits[0] + fits[-1]) / 2 if fits else 0
        fits.sort(key=lambda n: (abs(n - middle), n))
        near = None
        for attempt, worked in enumerate(fits[:8]):
            flags = self.patterns.pattern(worked, day_value, rng)
            if flags is None or not types:
                continue
            for room_first in (False, True):
                days = assign_types(flags, types, follows, caps, staff.min_minutes, staff.max_minutes, value, rng,
                                    room_first)
                if days is not None and self.check(days):
                    return "FEASIBLE", days
                near = near or (days and (flags, days))
        if near is not None:        # the DP's shifts break a per-type maximum: CP-SAT repairs them, pattern kept
            status, days = self._solve(values, min(det_limit, 1.0), fixed=near[0], hint=near[1])
            if days is not None:
                return "FEASIBLE", days
        status, days = self._solve(values, det_limit)
        if days is not None:
            return "FEASIBLE", days
        return ("INFEASIBLE" if status == cp_model.INFEASIBLE else "UNKNOWN"), None

    def improve(self, values: dict[tuple[int, str], float], det_limit: float,
                current: list[str | None]) -> list[str | None]:
        """The employee's best roster against `values`, from their current one (kept if nothing better)."""
        status, days = self._solve(values, det_limit, hint=current)
        return days if days is not None else current


def employee_by_employee(cp: CurtoisProblem, det_limit_per_employee: float = 2.0, seed: int = 0,
                         passes: int = 3, deadline: Deadline | None = None,
                         det_budget: float | None = None, improve_until: float | None = None) -> StartResult:
    """Employee -> shift id (or None) per day, employees in the instance's order against the cover still short.

    `det_budget` (deterministic seconds for the whole start, after which only the first pass goes on) keeps
    it reproducible; `deadline` is the wall-clock backstop: past it the start stops and says which employees
    it did not reach. The best-response passes also stop at `improve_until` (a time.perf_counter() value), so
    they leave the search its share of the limit; stopping them on the clock is recorded as a cut.
    """
    problem = cp.problem
    need: dict[tuple, int] = {(row.date, row.shift): row.requirement for row in cp.cover}
    under = {(row.date, row.shift): row.under_weight for row in cp.cover}
    over = {(row.date, row.shift): row.over_weight for row in cp.cover}
    wishes: dict[tuple, int] = defaultdict(int)
    for r in cp.instance.on_requests:
        wishes[(r.staff, r.day, r.shift)] += r.weight
    for r in cp.instance.off_requests:
        wishes[(r.staff, r.day, r.shift)] -= r.weight
    shift_ids = [s.id for s in cp.instance.shifts]
    rng = random.Random(seed)
    solvers: dict[str, EmployeeSolver] = {}
    roster: dict[str, list[str | None]] = {}
    result = StartResult(None, "UNKNOWN")

    allowed = {a.agent_id: [t for t in shift_ids if t in problem.site.contract(a.contract).shift_templates]
               for a in problem.agents}

    def values_for(agent_id: str) -> dict[tuple[int, str], float]:
        values = {}
        for day, date in enumerate(problem.dates):
            for t in allowed[agent_id]:
                key = (date, t)
                cover = under.get(key, 0) if need.get(key, 0) > 0 else -over.get(key, 0)
                value = cover + wishes[(agent_id, day, t)]
                if value:
                    values[(day, t)] = value
        return values

    def book(days: list[str | None], sign: int) -> None:
        for date, shift_id in zip(problem.dates, days):
            if shift_id is not None:
                need[(date, shift_id)] = need.get((date, shift_id), 0) - sign

    def spent() -> float:
        return sum(s.det_time for s in solvers.values())

    def first_roster(agent, det_limit: float) -> str:
        if agent.agent_id not in solvers:
            solvers[agent.agent_id] = EmployeeSolver(cp, agent, seed, deadline)
        status, days = solvers[agent.agent_id].first(values_for(agent.agent_id), det_limit, rng)
        if days is not None:
            book(days, +1)
            roster[agent.agent_id] = days
        return status

    # First pass: every employee in the instance's order; those CP-SAT could not settle within the per-employee
    # limit come back with a doubled limit, until they are rostered, proved impossible, or the time is up.
    pending = list(problem.agents)
    det_limit = det_limit_per_employee
    while pending:
        failed = []
        for index, agent in enumerate(pending):
            if deadline is not None and deadline.passed():
                failed += pending[index:]
                break
            status = first_roster(agent, det_limit)
            if status == "INFEASIBLE":
                result.status, result.unsolved = "INFEASIBLE", [agent.agent_id]
                result.message = (f"employee {agent.agent_id}'s own rules admit no roster (CP-SAT proved it on "
                                  "their exact model)")
                result.det_time = spent()
                return result
            if status != "FEASIBLE":
                failed.append(agent)
        if failed and deadline is not None and deadline.passed():
            result.unsolved = [a.agent_id for a in failed]
            result.message = (f"the start found no roster for {len(failed)} of {len(problem.agents)} employees "
                              f"({', '.join(result.unsolved[:5])}{' ...' if len(failed) > 5 else ''}) before the "
                              "time limit")
            result.det_time = spent()
            return result
        pending, det_limit = failed, det_limit * 2
    result.passes, result.first_at = 1, time.perf_counter()

    # Later passes: each employee's best response to everyone else's shifts, while the budget lasts.
    for number in range(1, passes):
        changed = False
        for agent in problem.agents:
            if det_budget is not None and spent() > det_budget:
                break
            if (deadline is not None and deadline.passed()) or (improve_until is not None and
                                                                time.perf_counter() > improve_until):
                if deadline is not None:
                    deadline.cut = True
                break
            previous = roster[agent.agent_id]
            book(previous, -1)                   # this employee's own shifts are open again
            days = solvers[agent.agent_id].improve(values_for(agent.agent_id), det_limit_per_employee / 4, previous)
            book(days, +1)
            changed |= days != previous
            roster[agent.agent_id] = days
        result.passes = number + 1
        if not changed:
            break
    result.roster = {a.agent_id: roster[a.agent_id] for a in problem.agents}
    result.status, result.det_time = "FEASIBLE", spent()
    return result
