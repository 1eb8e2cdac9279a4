"""Read a Curtois & Qu instance file (schedulingbenchmarks.org text format).

Sections start with `SECTION_<NAME>`, `#` lines are comments, fields are
comma-separated. Every mistake names the file and line.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from common.errors import InputError
from common.io import require_file

SECTIONS = ("HORIZON", "SHIFTS", "STAFF", "DAYS_OFF", "SHIFT_ON_REQUESTS", "SHIFT_OFF_REQUESTS", "COVER")


@dataclass(frozen=True)
class ShiftType:
    id: str
    minutes: int
    cannot_follow: tuple[str, ...]      # shift ids that may not be worked the day after this one


@dataclass(frozen=True)
class Staff:
    id: str
    max_shifts: dict[str, int]          # shift id -> most of that type (0: may not work it)
    max_minutes: int
    min_minutes: int
    max_consecutive: int
    min_consecutive: int
    min_days_off: int
    max_weekends: int
    line: int


@dataclass(frozen=True)
class Request:
    staff: str
    day: int
    shift: str
    weight: int
    line: int


@dataclass(frozen=True)
class Cover:
    day: int
    shift: str
    requirement: int
    under_weight: int
    over_weight: int
    line: int


@dataclass
class Instance:
    name: str
    path: Path
    horizon: int
    shifts: list[ShiftType]
    staff: list[Staff]
    days_off: dict[str, tuple[int, ...]] = field(default_factory=dict)
    on_requests: list[Request] = field(default_factory=list)
    off_requests: list[Request] = field(default_factory=list)
    cover: list[Cover] = field(default_factory=list)

    def shift(self, shift_id: str) -> ShiftType:
        return next(s for s in self.shifts if s.id == shift_id)


class _Line:
    def __init__(self, path: Path, number: int, text: str):
        self.path, self.number = path, number
        self.fields = [f.strip() for f in text.split(",")]

    @property
    def where(self) -> str:
        return f"{self.path} line {self.number}"

    def need(self, count: int, form: str, at_least: bool = False) -> None:
        if len(self.fields) < count or (not at_least and len(self.fields) != count):
            raise InputError(self.where, f"expected {form}, found {len(self.fields)} field(s)",
                             f"write the line as: {form}")

    def integer(self, index: int, name: str, low: int = 0) -> int:
        text = self.fields[index]
        try:
            value = int(text)
        except ValueError:
            raise InputError(self.where, f"{name} {text!r} is not a whole number",
                             f"write {name} as a whole number") from None
        if value < low:
            raise InputError(self.where, f"{name} {value} is below {low}", f"{name} must be at least {low}")
        return value


def read_instance(path: str | Path) -> Instance:
    path = Path(path)
    require_file(path, "Curtois instance")
    try:
        text = path.read_text()
    except UnicodeDecodeError:
        raise InputError(str(path), "is not a text file", "pass a Curtois instance .txt file") from None
    section = None
    rows: dict[str, list[_Line]] = {name: [] for name in SECTIONS}
    for number, raw in enumerate(text.splitlines(), start=1):
        stripped = raw.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if stripped.startswith("SECTION_"):
            section = stripped[len("SECTION_"):]
            if section not in rows:
                raise InputError(f"{path} line {number}", f"unknown section {stripped}",
                                 f"sections are: {', '.join('SECTION_' + s for s in SECTIONS)}")
            continue
        if section is None:
            raise InputError(f"{path} line {number}", "data before the first SECTION_ line",
                             "start the file with SECTION_HORIZON")
        rows[section].append(_Line(path, number, stripped))
    for name in ("HORIZON", "SHIFTS", "STAFF"):
        if not rows[name]:
            raise InputError(str(path), f"SECTION_{name} is missing or empty",
                             "this is not a complete Curtois instance")

    if len(rows["HORIZON"]) != 1:
        raise InputError(rows["HORIZON"][1].where, "SECTION_HORIZON has more than one line", "give one number of days")
    horizon_line = rows["HORIZON"][0]
    horizon_line.need(1, "H")
    horizon = horizon_line.integer(0, "the horizon", low=1)

    shifts: list[ShiftType] = []
    for line in rows["SHIFTS"]:
        line.need(2, "ShiftID, LengthInMinutes, CannotFollow", at_least=True)
        if any(s.id == line.fields[0] for s in shifts) or not line.fields[0]:
            raise InputError(line.where, f"shift id {line.fields[0]!r} is empty or repeated",
                             "give each shift a new id")
        follow = tuple(f for f in "|".join(line.fields[2:]).split("|") if f)
        shifts.append(ShiftType(line.fields[0], line.integer(1, "the shift length", low=1), follow))
    shift_ids = {s.id for s in shifts}
    for line, shift in zip(rows["SHIFTS"], shifts):
        if shift.minutes > 24 * 60:
            raise InputError(line.where, f"shift {shift.id} lasts {shift.minutes} min, more than a day",
                             "shift lengths are at most 1440 minutes")
        for other in shift.cannot_follow:
            if other not in shift_ids:
                raise InputError(line.where, f"CannotFollow names shift {other!r}, which is not defined",
                                 f"use shift ids from SECTION_SHIFTS: {', '.join(sorted(shift_ids))}")

    staff: list[Staff] = []
    for line in rows["STAFF"]:
        line.need(8, "ID, MaxShifts, MaxTotalMinutes, MinTotalMinutes, MaxConsecutiveShifts, "
                     "MinConsecutiveShifts, MinConsecutiveDaysOff, MaxWeekends")
        staff_id = line.fields[0]
        if not staff_id or any(s.id == staff_id for s in staff):
            raise InputError(line.where, f"staff id {staff_id!r} is empty or repeated", "give each employee a new id")
        max_shifts = {}
        for part in filter(None, line.fields[1].split("|")):
            key, _, value = part.partition("=")
            if key not in shift_ids or not value.strip().isdigit():
                raise InputError(line.where, f"MaxShifts entry {part!r} is not ShiftID=max for a known shift",
                                 f"write e.g. {next(iter(shift_ids))}=14, with shift ids from SECTION_SHIFTS")
            max_shifts[key] = int(value)
        values = [line.integer(i, name) for i, name in enumerate(
            ("MaxTotalMinutes", "MinTotalMinutes", "MaxConsecutiveShifts", "MinConsecutiveShifts",
             "MinConsecutiveDaysOff", "MaxWeekends"), start=2)]
        if values[1] > values[0]:
            raise InputError(line.where, f"MinTotalMinutes {values[1]} is above MaxTotalMinutes {values[0]}",
                             "swap or correct the two totals")
        staff.append(Staff(staff_id, max_shifts, *values, line=line.number))
    staff_ids = {s.id for s in staff}

    def staff_of(line: _Line) -> str:
        if line.fields[0] not in staff_ids:
            raise InputError(line.where, f"employee {line.fields[0]!r} is not in SECTION_STAFF",
                             "use an ID from SECTION_STAFF")
        return line.fields[0]

    def day_of(line: _Line, index: int) -> int:
        day = line.integer(index, "the day")
        if day >= horizon:
            raise InputError(line.where, f"day {day} is outside the horizon (0-{horizon - 1})",
                             f"days are numbered 0 to {horizon - 1}")
        return day

    def shift_of(line: _Line, index: int) -> str:
        if line.fields[index] not in shift_ids:
            raise InputError(line.where, f"shift {line.fields[index]!r} is not in SECTION_SHIFTS",
                             f"use one of: {', '.join(sorted(shift_ids))}")
        return line.fields[index]

    days_off: dict[str, tuple[int, ...]] = {}
    for line in rows["DAYS_OFF"]:
        line.need(1, "EmployeeID, Day, Day, ...", at_least=True)
        employee = staff_of(line)
        days_off[employee] = tuple(sorted(set(days_off.get(employee, ())) |
                                          {day_of(line, i) for i in range(1, len(line.fields)) if line.fields[i]}))
    requests = {}
    for name in ("SHIFT_ON_REQUESTS", "SHIFT_OFF_REQUESTS"):
        requests[name] = []
        for line in rows[name]:
            line.need(4, "EmployeeID, Day, ShiftID, Weight")
            requests[name].append(Request(staff_of(line), day_of(line, 1), shift_of(line, 2),
                                          line.integer(3, "the weight"), line.number))
    cover = []
    for line in rows["COVER"]:
        line.need(5, "Day, ShiftID, Requirement, WeightUnder, WeightOver")
        cover.append(Cover(day_of(line, 0), shift_of(line, 1), line.integer(2, "the requirement"),
                           line.integer(3, "WeightUnder"), line.integer(4, "WeightOver"), line.number))
    seen: dict[tuple[int, str], int] = {}
    for row in cover:
        if (row.day, row.shift) in seen:
            raise InputError(f"{path} line {row.line}", f"a second cover row for day {row.day}, shift {row.shift} "
                             f"(first on line {seen[(row.day, row.shift)]})", "keep one cover row per day and shift")
        seen[(row.day, row.shift)] = row.line
    return Instance(path.stem, path, horizon, shifts, staff, days_off, requests["SHIFT_ON_REQUESTS"],
                    requests["SHIFT_OFF_REQUESTS"], cover)
