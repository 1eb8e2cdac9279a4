"""Random instances of the Curtois & Qu family with a planted feasible roster.

A roster is planted first, then every limit is derived from it, so the planted
roster is feasible by construction and the limits are tight around it:

- shift types get a synthetic start time and length; a type may not follow
  another when fewer than 11 hours would separate them (so a type may always
  follow itself), plus a few extra forbidden successions the planted roster
  happens to avoid;
- each employee's work/off pattern is a sequence of runs: the runs touching day
  0 or day H−1 may be shorter than the employee's minimums (the format exempts
  them), inner runs are not; worked days get types along a walk that never takes
  a forbidden succession;
- MaxShifts per type = the planted count (+ a little slack, or 0 for types the
  employee may not work, or the horizon for "no limit"); total minutes a window
  of 1 to 2.5 shifts around the planted total, as in the published instances
  (`tight`: at most one shift, often none); MaxConsecutiveShifts = the longest planted
  run; MinConsecutiveShifts / MinConsecutiveDaysOff = the shortest planted inner
  run (any value when there is none, which tests the edge exemption); MaxWeekends
  = the weekends planted; days off drawn from the planted days off;
- requests and cover are random around the planted roster (cover = planted
  counts with noise), so the planted objective is an upper bound on the optimum,
  not the optimum.

The instance is written in the benchmark's text format, so it reaches the solver
through the real reader and importer. Everything is drawn from one seeded
generator: the same arguments give the same text.

    python -m scheduler.curtois.generate --weeks 52 --staff 150 --shift-types 32 --seed 1 --out G.txt
"""
from __future__ import annotations

import argparse
import random
import string
from dataclasses import dataclass
from pathlib import Path

from common.errors import InputError
from common.io import atomic_write_text

MIN_REST_MIN = 11 * 60      # a type may not follow another that leaves less rest than this


@dataclass(frozen=True)
class Generated:
    name: str
    text: str                                   # the instance in the benchmark's text format
    planted: dict[str, list[str | None]]        # employee -> shift id (None = off) per day
    horizon: int
    staff: int
    shift_types: int


def _ids(count: int, alphabet: str) -> list[str]:
    """A, B, ..., Z, AA, AB, ... (the benchmark's own naming)."""
    out = []
    n = 0
    while len(out) < count:
        k, name = n, ""
        while True:
            name = alphabet[k % len(alphabet)] + name
            k = k // len(alphabet) - 1
            if k < 0:
                break
        out.append(name)
        n += 1
    return out


def runs(flags: list[bool]) -> list[tuple[int, int, bool]]:
    """(first, last, value) of every maximal run of equal flags."""
    found, first = [], 0
    for i in range(1, len(flags) + 1):
        if i == len(flags) or flags[i] != flags[first]:
            found.append((first, i - 1, flags[first]))
            first = i
    return found


def weekends_worked(days: list[str | None]) -> int:
    """Weekends (Saturday d % 7 == 5 and the Sunday after) with a shift on either day."""
    return sum(1 for sat in range(5, len(days), 7)
               if days[sat] is not None or (sat + 1 < len(days) and days[sat + 1] is not None))


def _pattern(rng: random.Random, horizon: int, min_run: int, max_run: int, min_off: int, max_off: int) -> list[bool]:
    """Work (True) / off flags: inner runs within [min_run, max_run] and [min_off, max_off]; the runs at the
    two ends are cut by the horizon, so they may be shorter."""
    working = rng.random() < 0.5
    flags: list[bool] = []
    first = True
    while len(flags) < horizon:
        if working:
            length = rng.randint(min_run, max_run)
        else:
            length = rng.randint(min_off, max_off)
        if first:                       # the run began before day 0: only its tail is in the horizon
            length = rng.randint(1, length)
            first = False
        flags += [working] * length
        working = not working
    return flags[:horizon]


def generate(seed: int, *, days: int | None = None, weeks: int | None = None, staff: int = 10,
             shift_types: int = 3, requests_per_employee: float = 0.15, days_off_rate: float = 0.04,
             cover_noise: float = 0.15, tight: bool = False, name: str | None = None) -> Generated:
    """A random instance with a planted roster. `days` or `weeks` (weeks × 7 days) sets the horizon; a share
    `cover_noise` of the cover rows asks one more or one fewer than the planted roster works. `tight` draws
    the total-minutes window and the per-type maxima as close to the planted roster as they go (a window
    of at most one shift, often zero; nearly every type capped at its planted count): far tighter than the
    published instances, which allow 1 to 2.25 shifts and cap a few types only."""
    if (days is None) == (weeks is None):
        raise InputError("generate", "give exactly one of days or weeks", "e.g. weeks=4")
    horizon = days if days is not None else 7 * weeks
    for label, value, low, high in (("horizon", horizon, 1, 3660), ("staff", staff, 1, 2000),
                                    ("shift types", shift_types, 1, 52)):
        if not low <= value <= high:
            raise InputError("generate", f"{label} {value} is outside {low}-{high}", f"choose {low} to {high}")
    rng = random.Random(seed)
    name = name or f"Planted-s{seed}-d{horizon}-e{staff}-t{shift_types}"

    # Shift types: a start hour and a length; successions leaving under 11 h of rest are forbidden.
    type_ids = ["E", "L", "N", "D"][:shift_types] + [f"d{k}" for k in range(1, shift_types - 3)]
    starts = {t: rng.randrange(0, 24 * 60, 30) for t in type_ids}
    lengths = {t: rng.choice((240, 300, 360, 420, 480, 480, 480, 540, 600, 720)) for t in type_ids}
    forbidden = {t: {u for u in type_ids if u != t and
                     24 * 60 + starts[u] - (starts[t] + lengths[t]) < MIN_REST_MIN} for t in type_ids}

    staff_ids = _ids(staff, string.ascii_uppercase)
    planted: dict[str, list[str | None]] = {}
    allowed: dict[str, list[str]] = {}
    for employee in staff_ids:
        allowed[employee] = rng.sample(type_ids, rng.randint(1, min(len(type_ids), rng.choice((1, 2, 3, 4, 6)))))
        min_run = rng.choice((1, 1, 2, 2, 3))
        max_run = rng.randint(max(min_run, 2), 7)
        min_off = rng.choice((1, 2, 2, 3))
        max_off = rng.randint(min_off, min_off + rng.choice((1, 2, 4, 8)))
        flags = _pattern(rng, horizon, min_run, max_run, min_off, max_off)
        days_of: list[str | None] = []
        previous: str | None = None
        for works in flags:
            if not works:
                previous = None
                days_of.append(None)
                continue
            choices = [t for t in allowed[employee] if previous is None or t not in forbidden[previous]]
            # Stay on the same type more often than not, as real rosters do (a type may always follow itself).
            shift = previous if previous is not None and rng.random() < 0.6 else rng.choice(choices)
            days_of.append(shift)
            previous = shift
        planted[employee] = days_of

    # Extra forbidden successions the planted roster never takes (the rest-based ones it avoids by construction).
    taken = {(a, b) for days_of in planted.values() for a, b in zip(days_of, days_of[1:]) if a and b}
    for t in type_ids:
        for u in type_ids:
            if u != t and u not in forbidden[t] and (t, u) not in taken and rng.random() < 0.1:
                forbidden[t].add(u)

    lines = ["# A random instance of the Curtois & Qu family with a planted feasible roster",
             f"# generated by scheduler.curtois.generate, seed {seed}", "SECTION_HORIZON", str(horizon), "",
             "SECTION_SHIFTS", "# ShiftID, Length in mins, Shifts which cannot follow this shift | separated"]
    lines += [f"{t},{lengths[t]},{'|'.join(u for u in type_ids if u in forbidden[t])}" for t in type_ids]
    lines += ["", "SECTION_STAFF", "# ID, MaxShifts, MaxTotalMinutes, MinTotalMinutes, MaxConsecutiveShifts, "
              "MinConsecutiveShifts, MinConsecutiveDaysOff, MaxWeekends"]
    days_off_lines, on_lines, off_lines = [], [], []
    for employee in staff_ids:
        days_of = planted[employee]
        counts = {t: sum(1 for d in days_of if d == t) for t in type_ids}
        limits = []
        for t in type_ids:
            if counts[t]:
                value = horizon if rng.random() < (0.1 if tight else 0.5) else counts[t] + rng.choice(
                    (0, 0, 1) if tight else (0, 1, 2, 3))
            elif t in allowed[employee]:
                value = rng.choice((0, horizon, rng.randint(1, max(1, horizon // 4))))
            else:
                value = 0
            limits.append(f"{t}={min(value, horizon)}")
        total = sum(lengths[d] for d in days_of if d)
        if tight:           # a window of at most one shift, often a single value
            width = rng.choice((0, 0, 60, 240, 480))
        else:               # the real instances' windows: 1 to 2.25 shifts (Instance1-10)
            mean = sum(lengths[t] for t in allowed[employee]) / len(allowed[employee])
            width = round(rng.uniform(1.0, 2.5) * mean / 60) * 60
        low = max(0, total - rng.randint(0, width // 60) * 60)
        high = low + width if low + width >= total else total
        flags = [d is not None for d in days_of]
        all_runs = runs(flags)
        inner = [(a, b, v) for a, b, v in all_runs if a > 0 and b < horizon - 1]
        longest = max([b - a + 1 for a, b, v in all_runs if v] or [0])
        max_consecutive = max(1, longest + rng.choice((0, 0, 0, 1)))
        inner_work = [b - a + 1 for a, b, v in inner if v]
        inner_off = [b - a + 1 for a, b, v in inner if not v]
        # With no inner run any minimum holds; draw one anyway (up to a week), which tests the edge exemption.
        min_consecutive = max(1, min(inner_work) - rng.choice((0, 0, 1))) if inner_work else rng.randint(1, 7)
        min_days_off = max(1, min(inner_off) - rng.choice((0, 0, 1))) if inner_off else rng.randint(1, 7)
        max_weekends = weekends_worked(days_of) + rng.choice((0, 0, 0, 1))
        lines.append(f"{employee},{'|'.join(limits)},{high},{low},{max_consecutive},{min_consecutive},"
                     f"{min_days_off},{max_weekends}")
        off_days = [d for d, shift in enumerate(days_of) if shift is None]
        fixed = sorted(rng.sample(off_days, min(len(off_days), round(rng.random() * 2 * days_off_rate * horizon))))
        if fixed:
            days_off_lines.append(",".join([employee] + [str(d) for d in fixed]))
        asked = set(fixed)
        for _ in range(round(rng.random() * 2 * requests_per_employee * horizon)):
            day = rng.randrange(horizon)
            if day in asked:
                continue
            asked.add(day)
            # Half the wishes agree with the planted roster, half do not (so the planted roster pays some).
            if rng.random() < 0.5:
                shift = days_of[day] if days_of[day] and rng.random() < 0.5 else rng.choice(allowed[employee])
                on_lines.append(f"{employee},{day},{shift},{rng.randint(1, 3)}")
            else:
                shift = days_of[day] if days_of[day] and rng.random() < 0.3 else rng.choice(type_ids)
                off_lines.append(f"{employee},{day},{shift},{rng.randint(1, 3)}")
    lines += ["", "SECTION_DAYS_OFF", "# EmployeeID, DayIndexes (start at zero)"] + days_off_lines
    lines += ["", "SECTION_SHIFT_ON_REQUESTS", "# EmployeeID, Day, ShiftID, Weight"] + on_lines
    lines += ["", "SECTION_SHIFT_OFF_REQUESTS", "# EmployeeID, Day, ShiftID, Weight"] + off_lines
    lines += ["", "SECTION_COVER", "# Day, ShiftID, Requirement, Weight for under-cover, Weight for over-cover"]
    for day in range(horizon):
        for t in type_ids:
            planted_count = sum(1 for days_of in planted.values() if days_of[day] == t)
            if planted_count == 0 and rng.random() < 0.5:
                continue                            # not every day and type has a cover row
            noise = rng.choice((-1, 1)) if rng.random() < cover_noise else 0
            requirement = max(0, planted_count + noise)
            lines.append(f"{day},{t},{requirement},100,1")
    return Generated(name, "\n".join(lines) + "\n", planted, horizon, staff, shift_types)


def planted_roster_text(generated: Generated) -> str:
    """The planted roster in the roster text format (objective.format_roster's)."""
    return "".join(" ".join([e] + [d or "-" for d in days]) + "\n" for e, days in generated.planted.items())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--weeks", type=int)
    parser.add_argument("--days", type=int)
    parser.add_argument("--staff", type=int, default=10)
    parser.add_argument("--shift-types", type=int, default=3)
    parser.add_argument("--out", type=Path, required=True, help="the instance file to write")
    parser.add_argument("--tight", action="store_true", help="windows and caps as close to the planted roster as they go")
    parser.add_argument("--planted", type=Path, help="also write the planted roster here")
    args = parser.parse_args(argv)
    generated = generate(args.seed, days=args.days, weeks=args.weeks if args.days is None else None,
                         staff=args.staff, shift_types=args.shift_types, tight=args.tight, name=args.out.stem)
    atomic_write_text(args.out, generated.text)
    if args.planted:
        atomic_write_text(args.planted, planted_roster_text(generated))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
