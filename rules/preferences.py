"""Agents' weighted wishes: a shift (or start time) wanted on a day, a shift not wanted, a day off wanted.

Always soft: each request costs its weight when it is not granted.

YAML:
    - rule: preferences
      requests:
        - {agent: A1, date: 2026-03-04, shift: E, weight: 2}               # wants an E shift that day
        - {agent: A1, date: 2026-03-05, start: "08:00", weight: 1}         # wants to start at 08:00 (any shift)
        - {agent: B2, date: 2026-03-06, shift: N, want: false, weight: 3}  # does not want an N shift
        - {agent: B2, date: 2026-03-07, want: false, weight: 4}            # wants the day off
        - {agent: C3, date: 2026-03-08, weight: 1}                         # wants to work that day

A request matches a shift when the shift's template is `shift` (if given) and it
starts at `start` (if given). `want: true` (the default) costs `weight` unless
the agent works a matching shift that day; `want: false` costs `weight` if the
agent does. A rule-level `weight:` is the default for requests without one.

Requests exported from another tool can come as a CSV instead of (or as well as)
the YAML list: `requests_file: preferences.csv`, relative to the site YAML, with
columns agent_id, date and optional shift, start, want, weight (blank = not given).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from common.errors import InputError
from common.io import read_csv, row_label
from rules.base import EncodeContext, Penalty, RosterView, Rule, Shift, Violation, check_keys
from rules.site import Agent, RuleSpec, Site

REQUEST_KEYS = {"agent", "date", "shift", "start", "want", "weight"}
FILE_COLUMNS = {"agent_id": "agent", "date": "date", "shift": "shift", "start": "start", "want": "want",
                "weight": "weight"}     # CSV column -> request key


@dataclass(frozen=True)
class Request:
    agent_id: str
    date: dt.date
    template_id: str | None
    start_min: int | None
    want: bool
    weight: float

    def matches(self, shift: Shift) -> bool:
        return ((self.template_id is None or shift.template_id == self.template_id)
                and (self.start_min is None or shift.local_start_min == self.start_min))

    def describe(self) -> str:
        what = " ".join(p for p in (self.template_id and f"a {self.template_id} shift",
                                    self.start_min is not None and f"starting {self.start_min // 60:02d}:"
                                                                  f"{self.start_min % 60:02d}") if p) or "to work"
        return f"{'wants' if self.want else 'does not want'} {what} on {self.date}"


def _date(value: Any, where: str) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise InputError(where, f"{value!r} is not a date", "write it as YYYY-MM-DD") from None


def _clock(value: Any, where: str) -> int:
    parts = str(value).split(":")
    if len(parts) != 2 or not all(p.isdigit() for p in parts) or int(parts[0]) > 23 or int(parts[1]) > 59:
        raise InputError(where, f"{value!r} is not a time of day", "write it as \"HH:MM\" in quotes")
    return int(parts[0]) * 60 + int(parts[1])


def _request(item: dict[str, Any], field: Any, templates: set[str], default_weight: Any) -> Request:
    """One request from its raw values; field(key) names where a value came from, for error messages."""
    if item.get("agent") in (None, ""):
        raise InputError(field("agent"), "required value is missing", "name the agent the request is for")
    if item.get("date") in (None, ""):
        raise InputError(field("date"), "required value is missing", "give the date as YYYY-MM-DD")
    template = item.get("shift")
    if template is not None and str(template) not in templates:
        raise InputError(field("shift"), f"shift template '{template}' does not exist",
                         f"use one of the shift_templates ids: {', '.join(sorted(templates))}")
    want = item.get("want", True)
    if not isinstance(want, bool):
        raise InputError(field("want"), f"{want!r} is not true or false", "write want: true or want: false")
    weight = item.get("weight", default_weight)
    if isinstance(weight, bool) or not isinstance(weight, (int, float)) or weight <= 0:
        raise InputError(field("weight"), f"{weight!r} is not a positive number",
                         "give each request (or the rule) a positive weight")
    start = _clock(item["start"], field("start")) if item.get("start") is not None else None
    return Request(str(item["agent"]), _date(item["date"], field("date")),
                   None if template is None else str(template), start, want, float(weight))


def _yaml_requests(spec: RuleSpec, raw: Any, templates: set[str], default_weight: Any) -> list[Request]:
    if not isinstance(raw, list) or not raw:
        raise InputError(f"{spec.where}.requests", "needs a list of requests",
                         "write requests: [{agent: ID, date: YYYY-MM-DD, shift: ID, weight: N}, ...]")
    requests = []
    for k, item in enumerate(raw):
        where = f"{spec.where}.requests[{k}]"
        if not isinstance(item, dict):
            raise InputError(where, f"{item!r} is not a mapping", "write {agent: ID, date: YYYY-MM-DD, weight: N}")
        unknown = sorted(set(item) - REQUEST_KEYS)
        if unknown:
            raise InputError(f"{where}.{unknown[0]}", "unknown key",
                             f"a request takes: {', '.join(sorted(REQUEST_KEYS))}")
        requests.append(_request(item, lambda key, where=where: f"{where}.{key}", templates, default_weight))
    return requests


def _csv_value(key: str, text: str, field: str) -> Any:
    """A CSV cell as the YAML value it stands for (blank = not given)."""
    text = text.strip()
    if not text:
        return None
    if key == "want":
        if text.lower() not in ("true", "false"):
            raise InputError(field, f"'{text}' is not true or false", "write true or false (blank means true)")
        return text.lower() == "true"
    if key == "weight":
        try:
            return float(text)
        except ValueError:
            raise InputError(field, f"'{text}' is not a number", "write a positive number such as 2") from None
    return text


def _file_requests(spec: RuleSpec, site: Site, templates: set[str], default_weight: Any) -> list[Request]:
    name = spec.params["requests_file"]
    if not isinstance(name, str) or not name.strip():
        raise InputError(f"{spec.where}.requests_file", f"{name!r} is not a file name",
                         "write requests_file: preferences.csv (relative to the site YAML)")
    path = (site.source.parent if site.source is not None else Path(".")) / name
    frame = read_csv(path, "preferences", ["agent_id", "date"])
    unknown = sorted(set(frame.columns) - set(FILE_COLUMNS))
    if unknown:
        raise InputError(f"{path}, column '{unknown[0]}'", "unknown column",
                         f"a preferences file has columns: {', '.join(FILE_COLUMNS)}")
    requests = []
    for index, row in frame.iterrows():
        where = row_label(path, int(index))
        item = {key: _csv_value(key, row[column], f"{where}, column '{column}'")
                for column, key in FILE_COLUMNS.items() if column in frame.columns}
        item = {key: value for key, value in item.items() if value is not None}
        column_of = {key: column for column, key in FILE_COLUMNS.items()}
        requests.append(_request(item, lambda key, where=where: f"{where}, column '{column_of[key]}'",
                                 templates, default_weight))
    if not requests:
        raise InputError(str(path), "the preferences file has no requests", "add one row per request, or drop requests_file")
    return requests


def parse_requests(spec: RuleSpec, site: Site) -> list[Request]:
    """The rule's requests, from its YAML list and/or its CSV file, each checked where it was written."""
    default_weight = spec.params.get("weight")
    templates = {t.id for t in site.shift_templates}
    if "requests" not in spec.params and "requests_file" not in spec.params:
        raise InputError(f"{spec.where}.requests", "needs a list of requests",
                         "write requests: [{agent: ID, date: YYYY-MM-DD, shift: ID, weight: N}, ...] "
                         "or requests_file: preferences.csv")
    requests = []
    if "requests" in spec.params:
        requests += _yaml_requests(spec, spec.params["requests"], templates, default_weight)
    if "requests_file" in spec.params:
        requests += _file_requests(spec, site, templates, default_weight)
    return requests


class Preferences(Rule):
    kind = "preferences"
    soft = True

    def __init__(self, spec: RuleSpec, site: Site):
        check_keys(spec, {"requests", "requests_file"}, soft_allowed=True)
        self.where = spec.where
        if spec.params.get("soft") is False:
            raise InputError(f"{spec.where}.soft", "preferences are always soft", "remove 'soft: false'")
        self.requests = parse_requests(spec, site)
        self.by_agent: dict[str, list[Request]] = {}
        for request in self.requests:
            self.by_agent.setdefault(request.agent_id, []).append(request)

    def describe(self) -> str:
        return f"{len(self.requests)} weighted shift and day-off requests"

    def applies_to(self, agent: Agent) -> bool:
        return agent.agent_id in self.by_agent

    def encode(self, ctx: EncodeContext, agent: Agent, literal: Any | None = None) -> None:
        dates = set(ctx.dates)
        for request in self.by_agent.get(agent.agent_id, []):
            if request.date not in dates:
                continue
            granted = sum(var for shift, var in ctx.options(agent.agent_id, request.date) if request.matches(shift))
            ctx.penalize(self.kind, (1 - granted) if request.want else granted, request.weight, agent.agent_id)

    def check(self, roster: RosterView) -> list[Violation]:
        return []

    def penalties(self, roster: RosterView) -> list[Penalty]:
        found = []
        dates = set(roster.dates)
        for request in self.requests:
            if request.agent_id not in roster.agents or request.date not in dates:
                continue
            worked = [s for s in roster.shifts_of(request.agent_id) if s.date == request.date]
            hit = any((request.template_id in (None, s.template_id)) and
                      (request.start_min is None or s.start.hour * 60 + s.start.minute == request.start_min)
                      for s in worked)
            if hit != request.want:
                found.append(Penalty(self.kind, request.agent_id, request.date, request.weight,
                                     f"{request.agent_id} {request.describe()}: not granted"))
        return found
