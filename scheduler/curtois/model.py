"""The CP-SAT model of a Curtois instance, built through the rule catalogue's encodings.

Hard rules come from the catalogue (RosterModel.add_rules). The instance's
day-level cover becomes objective terms here: for each cover row an under and
an over variable, tied to the number of employees on that shift that day and
never both positive (so the solver's objective is the true one for any roster).
Redundant constraints strengthen the LP relaxation without changing the set of
rosters.
"""
from __future__ import annotations

import functools
import math
from collections import defaultdict
from dataclasses import replace
from typing import Any

from rules.base import Rule

from scheduler.curtois.importer import CurtoisProblem
from scheduler.roster.model import RosterModel


def window_capacity(length: int, max_run: int, min_off: int, min_run: int) -> int:
    """Most working days in `length` consecutive days when runs of work are at most `max_run` long and runs
    of days off and of work strictly inside the window are at least `min_off` and `min_run` long (runs at
    the window's ends may go on outside it, so they are left free). Every window of the horizon obeys it
    whatever the edge exemptions, since a run strictly inside a window touches neither end of the horizon."""
    return window_capacities(max_run, min_off, min_run, length)[length]


@functools.lru_cache(maxsize=None)
def window_capacities(max_run: int, min_off: int, min_run: int, longest: int) -> tuple[int, ...]:
    """window_capacity for every length 0..`longest`, from one pass of the same automaton. A run's length
    is only tracked as far as a rule looks at it (`max_run` for work, else `min_run`; `min_off` for days
    off), so the pass costs O(longest × (max_run + min_off)) instead of growing with the window."""
    cap_w = max_run if max_run < longest else max(1, min_run)
    cap_o = max(1, min_off)
    # state: (last symbol, length of the current run (capped), whether the run started at the window's start)
    states = {("W", 1, True): 1, ("O", 1, True): 0} if max_run >= 1 else {("O", 1, True): 0}
    caps = [0, max(states.values())]
    for _ in range(longest - 1):
        nxt: dict[tuple, int] = {}
        for (symbol, run, edge), worked in states.items():
            for follow in "WO":
                if follow == symbol:
                    if symbol == "W" and run + 1 > max_run:
                        continue
                    key = (symbol, min(run + 1, cap_w if symbol == "W" else cap_o), edge)
                else:
                    limit = min_off if symbol == "O" else min_run
                    if not edge and run < limit:      # an interior run has just ended too short
                        continue
                    key = (follow, 1, False)
                value = worked + (follow == "W")
                if nxt.get(key, -1) < value:
                    nxt[key] = value
        states = nxt
        caps.append(max(states.values()))
    return tuple(caps[:longest + 1])


@functools.lru_cache(maxsize=None)
def useful_windows(max_run: int, min_off: int, min_run: int, horizon: int) -> tuple[tuple[int, int], ...]:
    """(length, capacity) for the window lengths whose capacity the shorter windows do not already imply."""
    caps = window_capacities(max_run, min_off, min_run, horizon)
    useful = []
    for n in range(2, horizon + 1):
        implied = min([n] + [caps[a] + caps[n - a] for a in range(1, n)])
        if caps[n] < implied:
            useful.append((n, caps[n]))
    return tuple(useful)


def catalogue_model(cp: CurtoisProblem, agents: list | None = None) -> RosterModel:
    """The roster model with every catalogue rule encoded, for all employees or only `agents`.

    The same model as RosterModel(problem) then add_rules(), built faster: options are filtered by the rules that
    filter options (time off, contract templates, availability) instead of asking each of the instance's
    hundreds of rule entries about each of up to 1.7 million options (52 weeks, 150 staff, 32 types)."""
    problem = cp.problem
    filtering = [r for r in problem.rules if type(r).option_allowed is not Rule.option_allowed]
    site = problem.site
    if agents is not None:
        # Options only of the shift types these employees' contracts allow (the others would be filtered out
        # anyway): a year of 32 types costs one employee's model 0.15 s otherwise.
        allowed = {t for a in agents for t in site.contract(a.contract).shift_templates}
        site = replace(site, shift_templates=tuple(t for t in site.shift_templates if t.id in allowed))
    rm = RosterModel(replace(problem, rules=filtering, site=site), agents=agents)    # options made here
    rm.problem = problem
    rm.add_rules()
    return rm


def flow_size(staff, horizon: int, weekends: bool) -> int:
    """An upper bound on the arcs _add_pattern_flow makes for one employee, without making them: the run
    states reachable day by day, times the weekend counts when the weekend cap is in the graph. Cheap, so
    the solver can decide against the path graphs before building a model too large for the limit."""
    low = {"W": max(1, staff.min_consecutive), "O": max(1, staff.min_days_off)}
    states = {("W", 1, low["W"] > 1), ("O", 1, low["O"] > 1)}
    arcs = 0
    for _ in range(1, horizon):
        nxt = set()
        for symbol, run, first in states:
            if symbol == "O" or run < staff.max_consecutive:
                r = min(run + 1, low["O"]) if symbol == "O" else run + 1
                nxt.add((symbol, r, first and r < low[symbol]))
            if first or run >= low[symbol]:
                nxt.add(("O" if symbol == "W" else "W", 1, low["W" if symbol == "O" else "O"] > 1))
            arcs += 2
        states = nxt
    return arcs * (min(staff.max_weekends, horizon // 7 + 1) + 1 if weekends else 1)


class CurtoisModel:
    def __init__(self, cp: CurtoisProblem, redundant: bool = True, flow: str | None = "weekends"):
        """flow: None, "runs" (the run rules as one path graph per employee) or "weekends" (and the weekend cap)."""
        self.cp = cp
        self.flow = flow
        self.rm = catalogue_model(cp)
        self.model = self.rm.model
        self.cover_terms: list[tuple[Any, Any]] = []
        self._add_cover()
        if redundant:
            self._add_redundant()
        self.rm.minimize()

    def on_shift(self, date, shift_id: str) -> list[Any]:
        if not hasattr(self, "_on_shift"):
            self._on_shift: dict[tuple, list[Any]] = defaultdict(list)
            for agent in self.rm.agents:
                for day in self.rm.dates:
                    for shift, var in self.rm.options(agent.agent_id, day):
                        self._on_shift[(day, shift.template_id)].append(var)
        return self._on_shift.get((date, shift_id), [])

    def _add_cover(self) -> None:
        model = self.model
        for row in self.cp.cover:
            staff = self.on_shift(row.date, row.shift)
            working = sum(staff)
            under = model.NewIntVar(0, row.requirement, f"under[{row.date},{row.shift}]")
            over = model.NewIntVar(0, max(0, len(staff) - row.requirement), f"over[{row.date},{row.shift}]")
            model.Add(under - over == row.requirement - working)
            if row.requirement > 0 and len(staff) > row.requirement:
                short = model.NewBoolVar(f"short[{row.date},{row.shift}]")
                model.Add(under == 0).OnlyEnforceIf(short.Not())
                model.Add(over == 0).OnlyEnforceIf(short)
            self.rm.penalize("cover_under", under, row.under_weight)
            self.rm.penalize("cover_over", over, row.over_weight)
            self.cover_terms.append((under, over))

    def _add_redundant(self) -> None:
        """Whole-shift bounds implied by each contract's minutes (the LP only sees the fractional ones), and
        window capacities implied by the run rules together (see window_capacity)."""
        model, site = self.model, self.cp.problem.site
        staff = {s.id: s for s in self.cp.instance.staff}
        for agent in self.rm.agents if not self.flow else ():    # the path graph implies these
            line = staff[agent.agent_id]
            works = [self.rm.works(agent.agent_id, d) for d in self.rm.dates]
            for length, cap in useful_windows(line.max_consecutive, line.min_days_off, line.min_consecutive,
                                              len(works)):
                for first in range(len(works) - length + 1):
                    window = works[first:first + length]
                    if not all(isinstance(w, int) for w in window):
                        model.Add(sum(window) <= cap)
        if self.flow:
            for agent in self.rm.agents:
                line = staff[agent.agent_id]
                self._add_pattern_flow(agent.agent_id, line.max_consecutive, line.min_consecutive, line.min_days_off,
                                       line.max_weekends if self.flow == "weekends" else None)
        for agent in self.rm.agents:
            contract = site.contract(agent.contract)
            lengths = [site.template(t).length_min for t in contract.shift_templates]
            if not lengths:
                continue
            works = [self.rm.works(agent.agent_id, d) for d in self.rm.dates]
            low = math.ceil(round(contract.min_hours_week * 60) / max(lengths))
            high = math.floor(round(contract.max_hours_week * 60) / min(lengths))
            model.Add(sum(works) >= low)
            model.Add(sum(works) <= high)

    def _add_pattern_flow(self, agent_id: str, max_run: int, min_run: int, min_off: int,
                          max_weekends: int | None = None) -> None:
        """The employee's work/off pattern as a path through a layered graph whose states are (work or off,
        run length so far, whether the run began on the horizon's first day[, weekends worked so far]).
        Paths are exactly the patterns the run rules (and the weekend cap) allow, runs touching either end
        exempt from the minimums, and a path polytope is integral, so the LP sees the convex hull of these
        rules together instead of their separate relaxations."""
        model = self.model
        dates = self.rm.dates
        works = [self.rm.works(agent_id, d) for d in dates]
        low = {"W": max(1, min_run), "O": max(1, min_off)}

        def norm(symbol: str, run: int, first: bool, weekends: int) -> tuple:
            if symbol == "O":
                run = min(run, low["O"])
            return symbol, run, first and run < low[symbol], weekends

        def counted(symbol: str, day: int, previous: str | None) -> int:
            """1 when working this day starts a new worked weekend."""
            if max_weekends is None or symbol != "W":
                return 0
            weekday = dates[day].weekday()
            return int(weekday == 5 or (weekday == 6 and previous != "W"))

        starts = [norm(sym, 1, True, counted(sym, 0, None)) for sym in "WO"]
        start = {state: model.NewBoolVar(f"flow0[{agent_id},{state}]") for state in starts
                 if max_weekends is None or state[3] <= max_weekends}
        model.Add(sum(start.values()) == 1)
        inflow: dict[tuple, list] = {state: [var] for state, var in start.items()}
        model.Add(sum(v for state, v in start.items() if state[0] == "W") == works[0])
        for day in range(1, len(works)):
            outflow: dict[tuple, list] = defaultdict(list)
            entering: dict[tuple, list] = defaultdict(list)
            for state in inflow:
                symbol, run, first, weekends = state
                moves = []
                if symbol == "O" or run < max_run:
                    moves.append((symbol, run + 1, first))
                if first or run >= low[symbol]:
                    moves.append(("O" if symbol == "W" else "W", 1, False))
                for sym, r, f in moves:
                    used = weekends + counted(sym, day, symbol)
                    if max_weekends is not None and used > max_weekends:
                        continue
                    target = norm(sym, r, f, used)
                    arc = model.NewBoolVar(f"flow[{agent_id},{day},{state}>{target}]")
                    outflow[state].append(arc)
                    entering[target].append(arc)
            for state, arcs_in in inflow.items():
                model.Add(sum(arcs_in) == sum(outflow[state]))
            model.Add(sum(arc for state, arcs in entering.items() if state[0] == "W" for arc in arcs) == works[day])
            inflow = dict(entering)

    def groups(self) -> dict[tuple[str, Any], list[int]]:
        return {key: [var.Index() for _, var in options] for key, options in self.rm.option_groups().items()}

    def hint_values(self, roster: dict[str, list[str | None]]) -> dict[int, int]:
        """Shift-variable index -> 0/1 for a roster given as employee -> shift id per day."""
        values = {}
        for agent in self.rm.agents:
            for day, date in enumerate(self.rm.dates):
                for shift, var in self.rm.options(agent.agent_id, date):
                    values[var.Index()] = int(roster[agent.agent_id][day] == shift.template_id)
        return values

    def roster(self, values: list[int]) -> dict[str, list[str | None]]:
        """Employee -> shift id per day, from a full solution vector."""
        result = {}
        for agent in self.rm.agents:
            days = []
            for date in self.rm.dates:
                chosen = [s.template_id for s, var in self.rm.options(agent.agent_id, date) if values[var.Index()]]
                days.append(chosen[0] if chosen else None)
            result[agent.agent_id] = days
        return result
