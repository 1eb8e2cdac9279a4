"""Breaks and activities placed inside a roster's chosen shifts, each where coverage can best spare its agent.

The start's shifts come from the greedy; CP-SAT placing their breaks spent most of its time in its root LP
(1.6 s of a 5 s limit on the sample). This places them in Python, knowing no rule: each absence names the
shifts that may hold it, and each rule's choice says how many of a set it takes (rules/base.py,
EncodeContext). Absences are placed one at a time, in time order, where taking the agent off the floor costs
least, then each is moved to its best place again while that lowers the cost.

Costs are counted as the model counts coverage (per queue and interval, multi-skilled agents split between
their queues at the least cost), but it knows nothing of rules that tie agents' absences together
(at most two in training at once): the caller settles the exact cost with CP-SAT and falls back to CP-SAT's own
placement when the model refuses this one.
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from scheduler.roster.model import RosterModel, coverage_weights
from scheduler.roster.neighbourhood import value_of

IMPROVE_PASSES = 2


@dataclass
class _Absence:
    key: tuple[str, dt.date]               # the agent's day: its absences must not overlap
    span: tuple[int, int]                  # epoch minutes [start, end)
    cells: list[tuple[tuple[str, ...], int, int]]    # (skill group, interval, coverage units taken)


class _Floor:
    """Coverage units per queue and interval, split across each interval's queues as the model would split
    them (each multi-skilled unit moved while a move lowers the cost), and what taking units off costs."""

    def __init__(self, rm: RosterModel, supply: dict[tuple[tuple[str, ...], int], int]):
        """`supply`: coverage units present per (skill group, interval) before any absence."""
        per_interval = rm.site.interval_min // rm.coverage_unit_min
        self.under, self.over = coverage_weights(rm.site, per_interval)
        self.segment = per_interval
        self.need = {key: agents * per_interval for key, agents in rm.requirement.items()}
        self.queues: dict[int, list[str]] = defaultdict(list)
        for queue, t in sorted(rm.requirement):
            self.queues[t].append(queue)
        self.cover: dict[int, dict[str, int]] = {t: dict.fromkeys(queues, 0) for t, queues in self.queues.items()}
        self.share: dict[int, dict[tuple[tuple[str, ...], str], int]] = defaultdict(dict)   # t -> (group, queue)
        self._prices: dict[int, dict[tuple[tuple[str, ...], int], int]] = defaultdict(dict)  # t -> (group, units)
        # Agents with one queue first, then the multi-skilled, each unit where it is then worth most.
        for (group, t), units in sorted(supply.items(), key=lambda item: len(item[0][0]) > 1):
            self._add(t, group, units, self.cover[t], self.share[t])

    def _cost(self, queue: str, t: int, cover: int) -> int:
        need = self.need[(queue, t)]
        if cover >= need:
            return (cover - need) * self.over
        short, cost = need - cover, 0
        for k, weight in enumerate(self.under):
            units = short if k == len(self.under) - 1 else min(short, self.segment)
            cost += units * weight
            short -= units
            if short <= 0:
                break
        return cost

    def _step(self, queue: str, t: int, cover: int, by: int) -> int:
        return self._cost(queue, t, cover + by) - self._cost(queue, t, cover)

    def _add(self, t: int, group: tuple[str, ...], units: int, cover: dict, share: dict) -> None:
        queues = [q for q in self.queues[t] if q in group]
        for _ in range(units if queues else 0):
            queue = min(queues, key=lambda q: self._step(q, t, cover[q], 1))
            cover[queue] += 1
            share[(group, queue)] = share.get((group, queue), 0) + 1
        self._balance(t, cover, share)

    def _remove(self, t: int, group: tuple[str, ...], units: int, cover: dict, share: dict) -> None:
        for _ in range(units):
            held = [q for (g, q), n in share.items() if g == group and n > 0]
            if not held:
                break
            queue = min(held, key=lambda q: self._step(q, t, cover[q], -1))
            cover[queue] -= 1
            share[(group, queue)] -= 1
        self._balance(t, cover, share)

    def _balance(self, t: int, cover: dict, share: dict) -> None:
        """Move cover between queues while a move lowers the interval's cost: one unit leaves a queue and
        reaches another through a chain of multi-skilled agents (each steps from a queue it holds to another of
        its skills). With convex costs per queue, no such move left means the split is the cheapest."""
        while True:
            moves: dict[str, list[tuple[tuple[str, ...], str]]] = defaultdict(list)   # queue -> (group, to)
            for (group, source), n in share.items():
                if n > 0 and len(group) > 1:
                    moves[source] += [(group, q) for q in group if q != source and q in cover]
            best, gain = None, 0
            for source in cover:
                via = {source: None}         # queue -> (the queue before it, the group that steps)
                frontier = [source]
                while frontier:
                    queue = frontier.pop()
                    for group, to in moves.get(queue, ()):
                        if to not in via:
                            via[to] = (queue, group)
                            frontier.append(to)
                leave = self._step(source, t, cover[source], -1)
                for target in via:
                    if target != source:
                        change = leave + self._step(target, t, cover[target], 1)
                        if change < gain:
                            best, gain = (source, target, via), change
            if best is None:
                return
            source, target, via = best
            cover[source] -= 1
            cover[target] += 1
            queue = target
            while queue != source:
                before, group = via[queue]
                share[(group, before)] -= 1
                share[(group, queue)] = share.get((group, queue), 0) + 1
                queue = before

    def _total(self, t: int, cover: dict) -> int:
        return sum(self._cost(q, t, c) for q, c in cover.items())

    def price(self, absence: _Absence) -> int:
        """What taking the absence's agent off the floor costs (negative: it saves over-coverage)."""
        total = 0
        for group, t, units in absence.cells:
            known = self._prices[t]
            if (group, units) not in known:
                cover, share = dict(self.cover[t]), dict(self.share[t])
                self._remove(t, group, units, cover, share)
                known[(group, units)] = self._total(t, cover) - self._total(t, self.cover[t])
            total += known[(group, units)]
        return total

    def take(self, absence: _Absence) -> None:
        for group, t, units in absence.cells:
            self._remove(t, group, units, self.cover[t], self.share[t])
            self._prices.pop(t, None)

    def give_back(self, absence: _Absence) -> None:
        for group, t, units in absence.cells:
            self._add(t, group, units, self.cover[t], self.share[t])
            self._prices.pop(t, None)


def place_absences(rm: RosterModel, shifts: dict[int, int]) -> dict[int, int] | None:
    """A 0/1 value for every absence variable, given a 0/1 value for every shift variable (`shifts`); None
    when some absence is in no choice, or a choice's count is not a sum of shift variables, or a choice has
    too few places left."""
    if rm.problem.fixed is not None:     # published activities stand: the model pins them, not this
        return None
    chosen = {index for index, value in shifts.items() if value}
    absences = {a.var.Index(): _Absence((a.agent_id, a.date), (a.start_min, a.start_min + a.minutes), [])
                for a in rm.absences if not chosen.isdisjoint(a.within)}      # those the chosen shifts can hold
    supply: dict[tuple[tuple[str, ...], int], int] = defaultdict(int)
    for _, group, t, units, var in rm.presence_terms:
        index = var.Index()
        if units > 0 and index in chosen:
            supply[(group, t)] += units
        elif units < 0 and index in absences:
            absences[index].cells.append((group, t, -units))
    choices: list[tuple[list[int], int]] = []
    in_choices = [i for choice in rm.absence_choices for i in choice.absences]
    if len(in_choices) != len(rm.absences) or len(set(in_choices)) != len(in_choices):
        return None     # an absence in no choice, or in two: this cannot see what it must place
    for choice in rm.absence_choices:
        count = _count(choice.count, shifts)
        places = [i for i in choice.absences if i in absences]
        if count is None or count > len(places):
            return None
        if count:
            choices.append((places, count))
    # In time order, by the latest a choice's places start: the absences that must come early take their
    # place first, and the later ones fill around them (sample: 79,537, against 87,707 placing the longest
    # or the narrowest windows first, and the optimal placement's 79,037 after the passes below).
    choices.sort(key=lambda c: (max(absences[i].span[0] for i in c[0]), len(c[0])))

    floor = _Floor(rm, supply)
    busy: dict[tuple[str, dt.date], list[tuple[int, int]]] = defaultdict(list)
    taken: set[int] = set()

    def best(places: list[int]) -> int | None:
        free = [i for i in places if i not in taken and not _overlaps(absences[i], busy)]
        return min(free, key=lambda i: floor.price(absences[i]), default=None)

    def put(index: int) -> None:
        taken.add(index)
        floor.take(absences[index])
        busy[absences[index].key].append(absences[index].span)

    def lift(index: int) -> None:
        taken.remove(index)
        floor.give_back(absences[index])
        busy[absences[index].key].remove(absences[index].span)

    for places, count in choices:
        for _ in range(count):
            index = best(places)
            if index is None:
                return None
            put(index)
    for _ in range(IMPROVE_PASSES):
        moved = False
        for places, _ in choices:
            for index in [i for i in places if i in taken]:
                lift(index)
                again = best(places)
                put(again)
                moved = moved or again != index
        if not moved:
            break
    return {a.var.Index(): int(a.var.Index() in taken) for a in rm.absences}


def _count(count, shifts: dict[int, int]) -> int | None:
    """A choice's count given the shifts, or None when it is not made of shift variables alone."""
    try:
        return value_of(count, shifts)
    except KeyError:
        return None


def _overlaps(absence: _Absence, busy: dict[tuple[str, dt.date], list[tuple[int, int]]]) -> bool:
    start, end = absence.span
    return any(start < other_end and other_start < end for other_start, other_end in busy.get(absence.key, ()))
