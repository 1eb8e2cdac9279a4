"""Stay close to a published roster: every departure from it has a price, and the frozen past holds.

An intraday re-plan may extend a shift (overtime), end one early or cancel one
not yet started (voluntary time off), call in an agent who is off, or move a
break; each has a cost in money, set by the site YAML's `intraday:` section
(scheduler/intraday/policy.py reads it into ChangePrices). The encoding prices
each option the model offers; the checker recomputes every change from the
two rosters' times alone, and also verifies that nothing before the freeze and
nothing on a fixed date changed, and that the policy's caps hold.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from rules.base import Activity, EncodeContext, FixedPlan, Penalty, RosterShift, RosterView, Rule, Shift, Violation
from rules.site import Agent, Site


@dataclass(frozen=True)
class ChangePrices:
    """Money per change (in the site's currency) and the caps that bound each kind of change."""

    move_break: float = 2.0             # per break, lunch or training moved
    max_moves_per_day: int = 2
    extend_fixed: float = 5.0           # per shift extended
    overtime_premium: float = 0.5       # extra share of the hourly rate for overtime hours (paid hours cost the rest)
    max_overtime_min: int = 120         # per agent and day
    call_in_fixed: float = 20.0
    call_in_premium: float = 0.5
    call_in_min_min: int = 180
    call_in_max_min: int = 360
    time_off_fixed: float = 1.0         # per voluntary time off granted (the unpaid hours are saved elsewhere)


def _activity_key(activity: Activity) -> tuple[str, dt.datetime]:
    return (activity.name, activity.start)


def change_kind(ref: Shift | None, new: Shift | None) -> str | None:
    """What a day's change is, from the two shifts' times: None when nothing changed."""
    if ref is None:
        return None if new is None else "call_in"
    if new is None:
        return "voluntary_time_off"
    if new.start == ref.start and new.end == ref.end:
        return None
    if new.start == ref.start:
        return "extend_shift" if new.end > ref.end else "voluntary_time_off"
    return "reshift"


def change_cost(kind: str | None, ref: Shift | None, new: Shift | None, rate: float, prices: ChangePrices) -> float:
    """The change's price on top of the paid hours the roster already costs."""
    if kind == "call_in":
        return prices.call_in_fixed + prices.call_in_premium * rate * new.minutes / 60
    if kind == "extend_shift":
        return prices.extend_fixed + prices.overtime_premium * rate * (new.end - ref.end).total_seconds() / 3600
    if kind == "voluntary_time_off":
        return prices.time_off_fixed
    return 0.0


class ReferenceRoster(Rule):
    """Departures from the published roster cost money; the frozen past and fixed days do not change."""

    kind = "stay_close_to_reference"
    site_terms_per_agent = True

    def __init__(self, site: Site, fixed: FixedPlan, prices: ChangePrices,
                 time_off_offered: frozenset[str] = frozenset()):
        self.fixed = fixed
        self.prices = prices
        self.time_off_offered = time_off_offered     # agents who may be offered voluntary time off
        self.rates = {c.id: c.cost_per_hour for c in site.contracts}
        self.soft = True

    def describe(self) -> str:
        return (f"the published roster stands before {self.fixed.until:%a %H:%M} and on other days; each change "
                f"after it is priced (overtime up to {self.prices.max_overtime_min} min a day, call-ins of "
                f"{self.prices.call_in_min_min}-{self.prices.call_in_max_min} min, at most "
                f"{self.prices.max_moves_per_day} break moves a day)")

    # --- encoding -------------------------------------------------------------------------------
    def encode_site(self, ctx: EncodeContext, agents: list[Agent]) -> None:
        for agent in agents:
            rate = self.rates[agent.contract]
            for date in ctx.open_dates:
                ref = self.fixed.shift_on(agent.agent_id, date)
                for shift, var in ctx.options(agent.agent_id, date):
                    kind = change_kind(ref.shift if ref else None, shift)
                    cost = change_cost(kind, ref.shift if ref else None, shift, rate, self.prices)
                    if cost:
                        ctx.penalize(kind, var, cost, agent.agent_id)
                if ref is None:
                    continue
                if not self.fixed.started(agent.agent_id, date):
                    if agent.agent_id not in self.time_off_offered:
                        ctx.model.Add(ctx.works(agent.agent_id, date) == 1)
                    elif self.prices.time_off_fixed:
                        ctx.penalize("voluntary_time_off", 1 - ctx.works(agent.agent_id, date),
                                     self.prices.time_off_fixed, agent.agent_id)
                published = {_activity_key(a) for a in ref.activities}
                moved = [var for name, start, var, _ in ctx.absence_vars(agent.agent_id, date)
                         if start >= self.fixed.until and (name, start) not in published]
                if moved:
                    ctx.model.Add(sum(moved) <= self.prices.max_moves_per_day)
                    for var in moved:
                        ctx.penalize("move_break", var, self.prices.move_break, agent.agent_id)

    # --- independent checker ----------------------------------------------------------------------
    def _days(self, roster: RosterView):
        revised = {(r.agent_id, r.shift.date): r for r in roster.shifts}
        for agent_id in roster.agents:
            for date in roster.dates:
                yield agent_id, date, self.fixed.shift_on(agent_id, date), revised.get((agent_id, date))

    def _moved(self, ref: RosterShift, new: RosterShift) -> list[Activity]:
        published = {_activity_key(a) for a in ref.activities}
        return [a for a in new.activities if a.start >= self.fixed.until and _activity_key(a) not in published]

    def check(self, roster: RosterView) -> list[Violation]:
        return self.frozen_past_violations(roster) + self.policy_violations(roster)

    def frozen_past_violations(self, roster: RosterView) -> list[Violation]:
        """Fixed days as published, and nothing on an open day that starts before the freeze changed."""
        found = []
        until = self.fixed.until
        for agent_id, date, ref, new in self._days(roster):
            def broken(message: str) -> None:
                found.append(Violation(self.kind, agent_id, date, message))
            if date not in self.fixed.open_dates:
                if (ref is None) != (new is None) or (ref and (ref.shift != new.shift or
                                                              set(ref.activities) != set(new.activities))):
                    broken("a fixed day's shift differs from the published roster")
                continue
            if ref is not None and ref.shift.start < until and (new is None or new.shift.start != ref.shift.start):
                broken(f"the published shift started {ref.shift.start:%H:%M}, before the freeze at {until:%H:%M}, "
                       "and was changed or removed")
            if new is not None and (ref is None or ref.shift.start >= until) and new.shift.start < until:
                broken(f"a new shift starts {new.shift.start:%H:%M}, before the freeze at {until:%H:%M}")
            before = lambda r: {a for a in (r.activities if r else ()) if a.start < until}   # noqa: E731
            if before(ref) != before(new) and not (ref and ref.shift.start >= until):
                broken(f"activities before the freeze at {until:%H:%M} were changed")
        return found

    def policy_violations(self, roster: RosterView) -> list[Violation]:
        """Only the change kinds the intraday policy offers, within its caps."""
        found = []
        for agent_id, date, ref, new in self._days(roster):
            def broken(message: str) -> None:
                found.append(Violation(self.kind, agent_id, date, message))
            if date not in self.fixed.open_dates:
                continue
            kind = change_kind(ref.shift if ref else None, new.shift if new else None)
            if kind == "voluntary_time_off" and agent_id not in self.time_off_offered:
                broken("voluntary time off given to an agent none of whose queues is in a lull")
            if kind == "reshift":
                broken(f"the shift moved from {ref.shift.start:%H:%M} to {new.shift.start:%H:%M}")
            if kind == "extend_shift" and (new.shift.end - ref.shift.end).total_seconds() / 60 > self.prices.max_overtime_min:
                broken(f"extended past the cap of {self.prices.max_overtime_min} min of overtime a day")
            if kind == "call_in" and not self.prices.call_in_min_min <= new.shift.minutes <= self.prices.call_in_max_min:
                broken(f"a call-in of {new.shift.minutes} min is outside {self.prices.call_in_min_min}-"
                       f"{self.prices.call_in_max_min} min")
            if ref is not None and new is not None and len(self._moved(ref, new)) > self.prices.max_moves_per_day:
                broken(f"{len(self._moved(ref, new))} activities moved, more than {self.prices.max_moves_per_day}")
        return found

    def penalties(self, roster: RosterView) -> list[Penalty]:
        out = []
        for agent_id, date, ref, new in self._days(roster):
            if date not in self.fixed.open_dates:
                continue
            rate = self.rates[roster.agents[agent_id].contract]
            kind = change_kind(ref.shift if ref else None, new.shift if new else None)
            cost = change_cost(kind, ref.shift if ref else None, new.shift if new else None, rate, self.prices)
            if kind == "voluntary_time_off" and new is None and ref.shift.start < self.fixed.until:
                cost = 0.0       # cannot happen to a shift under way; the checker reports it instead
            if cost:
                out.append(Penalty(kind, agent_id, date, round(cost * 100) / 100, f"{kind} on {date}"))
            if ref is not None and new is not None:
                for activity in self._moved(ref, new):
                    out.append(Penalty("move_break", agent_id, date, self.prices.move_break,
                                       f"{activity.name} moved to {activity.start:%H:%M}"))
        return out
