"""Load the site YAML into a Site, with one clear message for each mistake.

Every message names the file and the key path (e.g. `site.yaml: queues[1].shrinkage`)
so a planner can find the line to fix.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from common.errors import InputError
from common.io import require_file
from rules.calibration_include import CalibrationInclude, load_calibration, resolve_auto
from rules.service_goal import CHANNELS, parse_service_goal
from rules.site import (WEEKDAYS, BreakSpec, Contract, ObjectiveWeights, OpeningHours, Queue, RuleSpec, Site,
                        ShiftTemplate, SolverSettings)

TOP_LEVEL_KEYS = {"site", "files", "queues", "shift_templates", "contracts", "rules", "objective", "solver",
                  "special_days", "intraday", "calibration", "data_quality"}


def parse_clock(value: Any, where: str, allow_24: bool = False) -> int:
    """'HH:MM' local time -> minutes after midnight."""
    text = str(value).strip()
    parts = text.split(":")
    if len(parts) != 2 or not all(p.isdigit() for p in parts):
        raise InputError(where, f"{value!r} is not a time of day", "write it as \"HH:MM\" in quotes, e.g. \"08:30\"")
    hours, minutes = int(parts[0]), int(parts[1])
    limit = 24 if allow_24 else 23
    if hours > limit or minutes > 59 or (hours == 24 and minutes):
        raise InputError(where, f"{value!r} is not a valid time of day", "hours 00-23 (24:00 for midnight close), minutes 00-59")
    return hours * 60 + minutes


class _Reader:
    """Typed access to a YAML mapping that names the key path in every error."""

    def __init__(self, file: Path, raw: Any, path: str):
        self.file, self.raw, self.path = file, raw, path
        if not isinstance(raw, dict):
            raise InputError(self.where(), "expected a mapping of key: value", "check the indentation of this block")

    def where(self, key: str | None = None) -> str:
        path = f"{self.path}.{key}" if key and self.path else (key or self.path)
        return f"{self.file}: {path}" if path else str(self.file)

    def check_keys(self, allowed: set[str]) -> None:
        unknown = sorted(set(self.raw) - allowed)
        if unknown:
            raise InputError(self.where(str(unknown[0])), "unknown key", f"allowed keys here: {', '.join(sorted(allowed))}")

    def has(self, key: str) -> bool:
        return self.raw.get(key) is not None

    def get(self, key: str, default: Any = ...) -> Any:
        if key not in self.raw or self.raw[key] is None:
            if default is ...:
                raise InputError(self.where(key), "required key is missing", f"add '{key}:' to this block")
            return default
        return self.raw[key]

    def text(self, key: str, default: Any = ...) -> str:
        value = self.get(key, default)
        if not isinstance(value, (str, int)) or isinstance(value, bool):
            raise InputError(self.where(key), f"{value!r} is not text", f"write a plain word for '{key}'")
        return str(value)

    def number(self, key: str, default: Any = ..., low: float | None = None, high: float | None = None,
               integer: bool = False) -> float:
        value = self.get(key, default)
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise InputError(self.where(key), f"{value!r} is not a number", f"write a number for '{key}'")
        if integer and float(value) != int(value):
            raise InputError(self.where(key), f"{value!r} is not a whole number", f"'{key}' must be a whole number")
        if (low is not None and value < low) or (high is not None and value > high):
            bounds = (f"between {low:g} and {high:g}" if high is not None else f"at least {low:g}")
            raise InputError(self.where(key), f"{value!r} is out of range", f"'{key}' must be {bounds}")
        return value

    def child(self, key: str, default: Any = ...) -> "_Reader":
        return _Reader(self.file, self.get(key, default), f"{self.path}.{key}" if self.path else key)

    def items(self, key: str) -> list["_Reader"]:
        value = self.get(key)
        if not isinstance(value, list) or not value:
            raise InputError(self.where(key), "expected a non-empty list", f"write '{key}:' followed by '- ' entries")
        base = f"{self.path}.{key}" if self.path else key
        return [_Reader(self.file, item, f"{base}[{i}]") for i, item in enumerate(value)]


def read_yaml(path: Path) -> Any:
    require_file(path, "site YAML")
    try:
        with open(path, encoding="utf-8") as handle:
            return yaml.safe_load(handle)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path} line {mark.line + 1}, column {mark.column + 1}" if mark else str(path)
        problem = getattr(exc, "problem", None) or str(exc)
        raise InputError(where, f"YAML syntax error: {problem}",
                         "check indentation (spaces, not tabs), colons after keys and matching quotes/brackets") from None
    except UnicodeDecodeError:
        raise InputError(str(path), "is not UTF-8 text", "save the file as UTF-8") from None


def _opening_hours(reader: _Reader) -> dict[str, OpeningHours]:
    reader.check_keys(set(WEEKDAYS))
    hours: dict[str, OpeningHours] = {}
    for day in WEEKDAYS:
        value = reader.raw.get(day)
        if value is None:
            continue
        where = reader.where(day)
        if not isinstance(value, list) or len(value) != 2:
            raise InputError(where, f"{value!r} is not an [open, close] pair", f'write e.g. {day}: ["08:00", "20:00"]')
        open_min = parse_clock(value[0], where)
        close_min = parse_clock(value[1], where, allow_24=True)
        if close_min <= open_min:
            raise InputError(where, "closing time is not after opening time", "overnight opening is not supported; close at 24:00")
        hours[day] = OpeningHours(open_min, close_min)
    if not hours:
        raise InputError(reader.where(), "the site is never open", "give opening hours for at least one weekday")
    return hours


def _unique_ids(readers: list[_Reader], what: str) -> list[str]:
    ids: list[str] = []
    for item in readers:
        item_id = item.text("id")
        if item_id in ids:
            raise InputError(item.where("id"), f"{what} id '{item_id}' is used twice", f"give every {what} its own id")
        ids.append(item_id)
    return ids


def _queue(reader: _Reader, calibration: CalibrationInclude | None = None) -> Queue:
    reader.check_keys({"id", "name", "channel", "service_goal", "shrinkage", "min_agents", "opening_hours",
                       "calibration_queue"})
    channel = reader.text("channel")
    if channel not in CHANNELS:
        raise InputError(reader.where("channel"), f"unknown channel '{channel}'", f"use one of: {', '.join(CHANNELS)}")
    calibration_queue = reader.text("calibration_queue") if reader.has("calibration_queue") else None
    raw_goal, calibrated = reader.get("service_goal"), ()
    if isinstance(raw_goal, dict):     # `auto` figures come from the calibration the site YAML names
        raw_goal, calibrated = resolve_auto(raw_goal, reader.where("service_goal"), calibration,
                                            calibration_queue or reader.text("id"))
    goal = parse_service_goal(raw_goal, reader.where("service_goal"))
    return Queue(
        id=reader.text("id"), name=reader.text("name", reader.text("id")), channel=channel, service_goal=goal,
        shrinkage=reader.number("shrinkage", 0.0, low=0.0, high=0.95),
        min_agents=int(reader.number("min_agents", 0, low=0, integer=True)),
        opening_hours=_opening_hours(reader.child("opening_hours")) if reader.has("opening_hours") else None,
        calibrated=calibrated, calibration_queue=calibration_queue,
    )


def _break(reader: _Reader, length_min: int) -> BreakSpec:
    reader.check_keys({"name", "length_min", "paid", "start_after_min"})
    window = reader.get("start_after_min")
    if (not isinstance(window, list) or len(window) != 2
            or not all(isinstance(v, int) and not isinstance(v, bool) for v in window)):
        raise InputError(reader.where("start_after_min"), f"{window!r} is not an [earliest, latest] pair of minutes",
                         "write e.g. start_after_min: [60, 180] (the break starts 1 to 3 hours into the shift)")
    paid = reader.get("paid", True)
    if not isinstance(paid, bool):
        raise InputError(reader.where("paid"), f"{paid!r} is not true or false", "write paid: true or paid: false")
    spec = BreakSpec(name=reader.text("name", "break"),
                     length_min=int(reader.number("length_min", low=5, high=240, integer=True)),
                     paid=paid, earliest_after_min=window[0], latest_after_min=window[1])
    if not 0 <= spec.earliest_after_min <= spec.latest_after_min or spec.latest_after_min + spec.length_min > length_min:
        raise InputError(reader.where("start_after_min"), f"window {window} does not fit inside a {length_min}-minute shift",
                         "earliest <= latest, and latest + the break's length must not pass the shift's end")
    return spec


def _template(reader: _Reader, interval_min: int) -> ShiftTemplate:
    reader.check_keys({"id", "name", "length_min", "earliest_start", "latest_start", "start_step_min", "breaks", "late"})
    length_min = int(reader.number("length_min", low=interval_min, high=16 * 60, integer=True))
    breaks = tuple(_break(b, length_min) for b in reader.items("breaks")) if reader.raw.get("breaks") else ()
    late = reader.get("late", False)
    if not isinstance(late, bool):
        raise InputError(reader.where("late"), f"{late!r} is not true or false", "write late: true for late shifts")
    template = ShiftTemplate(
        id=reader.text("id"), name=reader.text("name", reader.text("id")),
        length_min=length_min,
        earliest_start_min=parse_clock(reader.get("earliest_start"), reader.where("earliest_start")),
        latest_start_min=parse_clock(reader.get("latest_start"), reader.where("latest_start")),
        start_step_min=int(reader.number("start_step_min", interval_min, low=1, integer=True)),
        breaks=breaks, late=late,
    )
    if template.latest_start_min < template.earliest_start_min:
        raise InputError(reader.where("latest_start"), "is earlier than earliest_start", "swap them or correct one")
    for key, value in (("length_min", template.length_min), ("start_step_min", template.start_step_min),
                       ("earliest_start", template.earliest_start_min)):
        if value % interval_min:
            raise InputError(reader.where(key), f"is not a multiple of the {interval_min}-minute interval",
                             f"shifts start and end on interval boundaries; use a multiple of {interval_min} minutes")
    return template


def _contract(reader: _Reader, template_ids: list[str]) -> Contract:
    reader.check_keys({"id", "name", "min_hours_week", "max_hours_week", "shift_templates", "cost_per_hour"})
    templates = reader.get("shift_templates")
    if not isinstance(templates, list) or not templates:
        raise InputError(reader.where("shift_templates"), "expected a list of shift template ids", "write e.g. [D8, L8]")
    for template_id in templates:
        if str(template_id) not in template_ids:
            raise InputError(reader.where("shift_templates"), f"unknown shift template '{template_id}'",
                             f"use one of the shift_templates ids: {', '.join(template_ids)}")
    contract = Contract(
        id=reader.text("id"), name=reader.text("name", reader.text("id")),
        min_hours_week=reader.number("min_hours_week", 0, low=0, high=168),
        max_hours_week=reader.number("max_hours_week", low=0, high=168),
        shift_templates=tuple(str(t) for t in templates),
        cost_per_hour=reader.number("cost_per_hour", 0.0, low=0),
    )
    if contract.min_hours_week > contract.max_hours_week:
        raise InputError(reader.where("min_hours_week"), "is above max_hours_week", "make min_hours_week <= max_hours_week")
    return contract


def _objective(reader: _Reader) -> ObjectiveWeights:
    reader.check_keys({"under_coverage_per_agent_interval", "over_coverage_per_agent_interval", "paid_hour_cost_weight"})
    under = reader.get("under_coverage_per_agent_interval", [1000, 2000, 4000])
    if isinstance(under, (int, float)) and not isinstance(under, bool):
        under = [under]
    if (not isinstance(under, list) or not under
            or not all(isinstance(w, (int, float)) and not isinstance(w, bool) and w >= 0 for w in under)):
        raise InputError(reader.where("under_coverage_per_agent_interval"), f"{under!r} is not a list of weights",
                         "write increasing weights for the 1st, 2nd, ... missing agent, e.g. [1000, 2000, 4000]")
    if any(b < a for a, b in zip(under, under[1:])):
        raise InputError(reader.where("under_coverage_per_agent_interval"), "weights must not decrease",
                         "each further missing agent in an interval must cost at least as much as the one before")
    return ObjectiveWeights(
        under_coverage=tuple(float(w) for w in under),
        over_coverage=reader.number("over_coverage_per_agent_interval", 20.0, low=0),
        paid_hour_cost_weight=reader.number("paid_hour_cost_weight", 1.0, low=0),
    )


def _solver(reader: _Reader) -> SolverSettings:
    reader.check_keys({"time_limit_s", "workers", "seed", "deterministic"})
    deterministic = reader.get("deterministic", True)
    if not isinstance(deterministic, bool):
        raise InputError(reader.where("deterministic"), f"{deterministic!r} is not true or false",
                         "write deterministic: true (reproducible) or false (CP-SAT's own parallel search)")
    return SolverSettings(
        time_limit_s=reader.number("time_limit_s", 60.0, low=0.1, high=24 * 3600),
        workers=int(reader.number("workers", 2, low=1, high=64, integer=True)),
        seed=int(reader.number("seed", 7, low=0, integer=True)),
        deterministic=deterministic,
    )


def _rule_specs(top: _Reader) -> tuple[RuleSpec, ...]:
    if top.raw.get("rules") in (None, []):
        return ()
    specs = []
    for item in top.items("rules"):
        kind = item.text("rule")
        params = {k: v for k, v in item.raw.items() if k != "rule"}
        specs.append(RuleSpec(kind=kind, params=params, where=item.where()))
    return tuple(specs)


def load_site(path: Path) -> Site:
    """Read and validate the site YAML (structure and cross-references between its parts)."""
    path = Path(path)
    raw = read_yaml(path)
    if raw is None:
        raise InputError(str(path), "the site YAML is empty", "start from data/sample_site/site.yaml")
    top = _Reader(path, raw, "")
    top.check_keys(TOP_LEVEL_KEYS)
    site_block = top.child("site")
    site_block.check_keys({"name", "timezone", "interval_min", "holidays", "week_starts_on", "opening_hours",
                           "currency"})
    currency = site_block.text("currency", "").strip()
    if len(currency) > 8:
        raise InputError(site_block.where("currency"), f"'{currency}' is not a currency code",
                         "write a short code such as GBP, EUR or USD")
    timezone = site_block.text("timezone")
    _check_timezone(timezone, site_block.where("timezone"))
    interval_min = int(site_block.number("interval_min", low=5, high=60, integer=True))
    if 60 % interval_min:
        raise InputError(site_block.where("interval_min"), f"{interval_min} does not divide an hour",
                         "use 5, 6, 10, 12, 15, 20, 30 or 60")
    week_start = site_block.text("week_starts_on", "mon").lower()
    if week_start not in WEEKDAYS:
        raise InputError(site_block.where("week_starts_on"), f"unknown weekday '{week_start}'", f"use one of {', '.join(WEEKDAYS)}")
    holidays_country = holidays_subdivision = None
    if site_block.has("holidays"):
        holidays_block = site_block.child("holidays")
        holidays_block.check_keys({"country", "subdivision"})
        holidays_country = holidays_block.text("country")
        holidays_subdivision = holidays_block.text("subdivision", None)

    queue_readers = top.items("queues")
    _unique_ids(queue_readers, "queue")
    template_readers = top.items("shift_templates")
    template_ids = _unique_ids(template_readers, "shift template")
    contract_readers = top.items("contracts")
    _unique_ids(contract_readers, "contract")

    files: dict[str, Path] = {}
    if top.has("files"):
        files_block = top.child("files")
        files_block.check_keys({"history", "agents", "time_off", "fairness_ledger"})
        files = {key: (path.parent / str(value)) for key, value in files_block.raw.items() if value}
    calibration = (load_calibration(path.parent / top.text("calibration"), top.where("calibration"))
                   if top.has("calibration") else None)

    return Site(
        name=site_block.text("name", path.stem),
        timezone=timezone,
        interval_min=interval_min,
        week_starts_on=week_start,
        opening_hours=_opening_hours(site_block.child("opening_hours")),
        queues=tuple(_queue(q, calibration) for q in queue_readers),
        shift_templates=tuple(_template(t, interval_min) for t in template_readers),
        contracts=tuple(_contract(c, template_ids) for c in contract_readers),
        rule_specs=_rule_specs(top),
        objective=_objective(top.child("objective", {})),
        solver=_solver(top.child("solver", {})),
        holidays_country=holidays_country,
        holidays_subdivision=holidays_subdivision,
        files=files,
        source=path,
        special_days=tuple(raw.get("special_days") or ()),
        currency=currency,
        calibration=calibration,
        intraday=raw.get("intraday"),
        data_quality=raw.get("data_quality"),
    )


def _check_timezone(name: str, where: str) -> None:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise InputError(where, f"unknown timezone '{name}'", "use an IANA name such as Europe/London or America/New_York") from None
