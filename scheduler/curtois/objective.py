"""The benchmark's objective and the roster text format, computed from a written roster alone.

Nothing here knows the CP-SAT model: the objective is recounted from the
instance's requests and cover rows and the roster's tokens, so it checks the
solver's own objective rather than repeating it.

Roster text: one line per employee in the instance's order, the employee ID then
one token per day (a shift ID, or `-` for a day off), separated by spaces.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from common.errors import InputError
from common.io import require_file
from scheduler.curtois.instance import Instance

OFF = "-"


@dataclass(frozen=True)
class Objective:
    on_requests: int        # weight of on-requests not granted
    off_requests: int       # weight of off-requests granted
    under_cover: int        # Σ WeightUnder × shortfall
    over_cover: int         # Σ WeightOver × excess

    @property
    def total(self) -> int:
        return self.on_requests + self.off_requests + self.under_cover + self.over_cover


def format_roster(instance: Instance, roster: dict[str, list[str | None]]) -> str:
    """Roster text from employee -> one shift id (or None) per day."""
    lines = []
    for staff in instance.staff:
        days = roster.get(staff.id, [None] * instance.horizon)
        lines.append(" ".join([staff.id] + [day or OFF for day in days]))
    return "\n".join(lines) + "\n"


def parse_roster(instance: Instance, text: str, where: str = "roster") -> dict[str, list[str | None]]:
    shift_ids = {s.id for s in instance.shifts}
    expected = [s.id for s in instance.staff]
    rows = [(n, line.split()) for n, line in enumerate(text.splitlines(), start=1) if line.strip()]
    if [tokens[0] for _, tokens in rows] != expected:
        raise InputError(where, "the roster's employee IDs are not the instance's, in its order",
                         f"write one line per employee: {', '.join(expected[:5])}{' ...' if len(expected) > 5 else ''}")
    roster = {}
    for n, tokens in rows:
        if len(tokens) != instance.horizon + 1:
            raise InputError(f"{where} line {n}", f"{len(tokens) - 1} day tokens, the horizon has {instance.horizon}",
                             "write one token per day: a shift ID or - for a day off")
        for token in tokens[1:]:
            if token != OFF and token not in shift_ids:
                raise InputError(f"{where} line {n}", f"unknown shift {token!r}",
                                 f"use {OFF} or one of: {', '.join(sorted(shift_ids))}")
        roster[tokens[0]] = [None if t == OFF else t for t in tokens[1:]]
    return roster


def read_roster(instance: Instance, path: str | Path) -> dict[str, list[str | None]]:
    path = require_file(Path(path), "roster")
    return parse_roster(instance, path.read_text(), str(path))


def objective(instance: Instance, roster: dict[str, list[str | None]]) -> Objective:
    """The Curtois objective of a roster (hard constraints are the rule checkers' business)."""
    on = sum(r.weight for r in instance.on_requests if roster[r.staff][r.day] != r.shift)
    off = sum(r.weight for r in instance.off_requests if roster[r.staff][r.day] == r.shift)
    under = over = 0
    for row in instance.cover:
        working = sum(1 for days in roster.values() if days[row.day] == row.shift)
        under += row.under_weight * max(0, row.requirement - working)
        over += row.over_weight * max(0, working - row.requirement)
    return Objective(on, off, under, over)
