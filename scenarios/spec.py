"""Read a what-if file: named scenarios, each a small set of changes to the base site.

    scenarios:
      - name: chat +15%, AHT +10%, 5 fewer full-timers
        volume: {chat: 15}              # % change per queue id, or `all`
        aht: {all: 10}                  # % change of handle time
        agents: {FT40: -5}              # agents added (+) or removed (-) per contract
      - name: voice 90/15
        service_goal: {voice: "90/15"}  # or {voice: {service_level: 0.9, target_s: 15}}
      - name: least full-timers for the goals
        solve_for: {headcount: FT40, min: 20, max: 80}

Every other key is listed in CHANGE_KEYS. Everything is checked against the base
site before any plan runs, and each mistake names the file, the scenario and
the key (exit 2, nothing written).
"""
from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from common.errors import InputError
from pipeline.inputs import SiteInputs
from rules.fairness import DIMENSIONS
from rules.loader import read_yaml
from rules.site import WEEKDAYS

CHANGE_KEYS = {
    "volume": "% change of contacts per queue id or `all`, e.g. {chat: 15, voice: -5}",
    "aht": "% change of average handle time per queue id or `all`",
    "service_goal": "per queue: \"90/15\" or {service_level, target_s, asa_s, max_abandon, max_occupancy, "
                    "deadline_s, deadline_share}",
    "shrinkage": "per queue id or `all`: the new shrinkage share, 0 to 0.95",
    "agents": "per contract id: agents added (+N) or removed (-N)",
    "shift_templates": "a list of shift templates in the site YAML's form (a known id replaces that template)",
    "contracts": "a list of contracts in the site YAML's form (a known id replaces that contract)",
    "rules": "per rule name: `off` to switch it off, or the settings to change, e.g. {max_consecutive_days: {days: 6}}",
    "fairness": f"fairness weights to set: {', '.join(DIMENSIONS)}",
    "opening_hours": "per weekday: [\"08:00\", \"20:00\"] or `closed` (the site's hours; queues with their own keep them)",
    "solve_for": "{headcount: CONTRACT, min: N, max: N}: the least agents of CONTRACT that meet every queue's goal",
}
SCENARIO_KEYS = {"name", "description", *CHANGE_KEYS}
GOAL_KEYS = {"service_level", "target_s", "asa_s", "max_abandon", "max_occupancy", "deadline_s", "deadline_share"}
_PERCENT = re.compile(r"^\s*([+-]?\d+(?:\.\d+)?)\s*%?\s*$")
_GOAL = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*/\s*(\d+(?:\.\d+)?)\s*$")


@dataclass(frozen=True)
class HeadcountSearch:
    contract: str
    low: int
    high: int


@dataclass(frozen=True)
class Scenario:
    """One what-if: its name and its checked changes (plain values, applied by scenarios.apply)."""

    name: str
    where: str                                        # "whatif.yaml: scenarios[2] 'name'"
    description: str = ""
    volume: dict[str, float] = field(default_factory=dict)      # queue id -> factor (1.15 for +15%)
    aht: dict[str, float] = field(default_factory=dict)
    service_goal: dict[str, dict[str, float]] = field(default_factory=dict)
    shrinkage: dict[str, float] = field(default_factory=dict)
    agents: dict[str, int] = field(default_factory=dict)
    shift_templates: tuple[dict, ...] = ()
    contracts: tuple[dict, ...] = ()
    rules: dict[str, Any] = field(default_factory=dict)          # kind -> None (off) or {param: value}
    fairness: dict[str, float] = field(default_factory=dict)
    opening_hours: dict[str, Any] = field(default_factory=dict)  # weekday -> [open, close] or None (closed)
    solve_for: HeadcountSearch | None = None

    def changes(self) -> str:
        """The scenario's changes in a short line, for tables."""
        parts = []
        for key, label in (("volume", "volume"), ("aht", "AHT")):
            for queue, factor in getattr(self, key).items():
                parts.append(f"{label} {queue} {(factor - 1) * 100:+g}%")
        for queue, goal in self.service_goal.items():
            parts.append(f"goal {queue} " + ", ".join(f"{k} {v:g}" for k, v in goal.items()))
        parts += [f"shrinkage {q} {v:g}" for q, v in self.shrinkage.items()]
        parts += [f"{n:+d} {c}" for c, n in self.agents.items()]
        parts += [f"template {t['id']}" for t in self.shift_templates]
        parts += [f"contract {c['id']}" for c in self.contracts]
        parts += [f"rule {k} {'off' if v is None else v}" for k, v in self.rules.items()]
        parts += [f"fairness {k} {v:g}" for k, v in self.fairness.items()]
        parts += [f"open {d} {'closed' if v is None else '-'.join(v)}" for d, v in self.opening_hours.items()]
        if self.solve_for:
            parts.append(f"least {self.solve_for.contract} headcount in [{self.solve_for.low}, {self.solve_for.high}]")
        return "; ".join(parts) or "no change"


def load_scenarios(path: Path, base: SiteInputs) -> list[Scenario]:
    """Read and check every scenario of the file against the base site."""
    path = Path(path)
    raw = read_yaml(path)
    if not isinstance(raw, dict) or set(raw) != {"scenarios"}:
        extra = sorted(set(raw) - {"scenarios"}) if isinstance(raw, dict) else []
        raise InputError(f"{path}" + (f": {extra[0]}" if extra else ""),
                         "unknown top-level key" if extra else "expected a mapping with one key, `scenarios:`",
                         "write `scenarios:` followed by a list of `- name: ...` entries")
    items = raw["scenarios"]
    if not isinstance(items, list) or not items:
        raise InputError(f"{path}: scenarios", "expected a non-empty list", "write one `- name: ...` entry per what-if")
    scenarios: list[Scenario] = []
    for index, item in enumerate(items):
        scenario = _scenario(path, index, item, base)
        if scenario.name in {s.name for s in scenarios} or scenario.name.lower() == "base":
            raise InputError(f"{scenario.where}.name", f"the name '{scenario.name}' is used twice (or is 'base')",
                             "give every scenario its own name; `base` is the unchanged site")
        scenarios.append(scenario)
    return scenarios


def _scenario(path: Path, index: int, item: Any, base: SiteInputs) -> Scenario:
    where = f"{path}: scenarios[{index}]"
    if not isinstance(item, dict):
        raise InputError(where, f"{item!r} is not a mapping", "write `- name: ...` followed by the changes")
    name = item.get("name")
    if not isinstance(name, (str, int)) or isinstance(name, bool) or not str(name).strip():
        raise InputError(f"{where}.name", "every scenario needs a name", "add `name: chat +15%` (any short text)")
    name = str(name).strip()
    where = f"{where} '{name}'"
    unknown = sorted(set(item) - SCENARIO_KEYS)
    if unknown:
        close = difflib.get_close_matches(str(unknown[0]), sorted(SCENARIO_KEYS), n=1)
        raise InputError(f"{where}.{unknown[0]}", "unknown key" + (f" (did you mean '{close[0]}'?)" if close else ""),
                         f"a scenario takes: {', '.join(sorted(SCENARIO_KEYS))} (see scenarios/spec.py)")
    site = base.site
    queues = [q.id for q in site.queues]
    read = _Checker(where, item)
    templates = read.listed("shift_templates")
    contracts = read.listed("contracts")
    contract_ids = [c.id for c in site.contracts] + [str(c.get("id")) for c in contracts]
    return Scenario(
        name=name, where=where, description=str(item.get("description") or ""),
        volume={q: 1 + p / 100 for q, p in read.per_queue("volume", queues, _percent, low=-100).items()},
        aht={q: 1 + p / 100 for q, p in read.per_queue("aht", queues, _percent, low=-100, open_low=True).items()},
        service_goal=read.goals(site),
        shrinkage=read.per_queue("shrinkage", queues, _share),
        agents=read.agents(base, contract_ids),
        shift_templates=templates, contracts=contracts,
        rules=read.rules(site),
        fairness=read.fairness(),
        opening_hours=read.opening_hours(),
        solve_for=read.solve_for(base, contract_ids),
    )


def _percent(value: Any, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise InputError(where, f"{value!r} is not a percentage", "write e.g. 15 or \"+15%\" (or -10 for 10% less)")
    match = _PERCENT.match(str(value))
    if not match:
        raise InputError(where, f"{value!r} is not a percentage", "write e.g. 15 or \"+15%\" (or -10 for 10% less)")
    return float(match.group(1))


def _share(value: Any, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 0.95:
        raise InputError(where, f"{value!r} is not a share between 0 and 0.95", "write e.g. 0.25 for 25% shrinkage")
    return float(value)


class _Checker:
    """Typed access to one scenario's mapping; every error names file, scenario and key."""

    def __init__(self, where: str, raw: dict):
        self.where, self.raw = where, raw

    def mapping(self, key: str) -> dict:
        value = self.raw.get(key)
        if value is None:
            return {}
        if not isinstance(value, dict) or not value:
            raise InputError(f"{self.where}.{key}", f"{value!r} is not a mapping", f"{key}: {CHANGE_KEYS[key]}")
        return value

    def listed(self, key: str) -> tuple[dict, ...]:
        value = self.raw.get(key)
        if value is None:
            return ()
        if not isinstance(value, list) or not value or not all(isinstance(v, dict) and v.get("id") for v in value):
            raise InputError(f"{self.where}.{key}", "expected a list of mappings, each with an id", CHANGE_KEYS[key])
        return tuple(value)

    def per_queue(self, key: str, queues: list[str], parse, low: float | None = None,
                  open_low: bool = False) -> dict[str, float]:
        value = self.raw.get(key)
        if value is not None and not isinstance(value, dict):
            value = {"all": value}
        out: dict[str, float] = {}
        for queue, item in (value or {}).items():
            where = f"{self.where}.{key}.{queue}"
            if queue != "all" and queue not in queues:
                raise InputError(where, f"unknown queue '{queue}'", f"use `all` or one of: {', '.join(queues)}")
            number = parse(item, where)
            if low is not None and (number < low or (open_low and number <= low)):
                raise InputError(where, f"{number:+g}% would leave {'no' if number == low else 'a negative'} "
                                        f"{'volume' if key == 'volume' else 'handle time'}",
                                 f"a change of {key} must be {'above' if open_low else 'at least'} {low:g}%")
            for target in (queues if queue == "all" else [queue]):
                out[target] = number
        return out

    def goals(self, site) -> dict[str, dict[str, float]]:
        out: dict[str, dict[str, float]] = {}
        for queue, item in self.mapping("service_goal").items():
            where = f"{self.where}.service_goal.{queue}"
            targets = [q.id for q in site.queues] if queue == "all" else [queue]
            if queue != "all" and queue not in [q.id for q in site.queues]:
                raise InputError(where, f"unknown queue '{queue}'",
                                 f"use `all` or one of: {', '.join(q.id for q in site.queues)}")
            if isinstance(item, str):
                match = _GOAL.match(item)
                if not match:
                    raise InputError(where, f"{item!r} is not a service goal", "write \"90/15\": 90% within 15 s")
                change = {"service_level": float(match.group(1)) / 100, "target_s": float(match.group(2))}
                shown = {"service_level": f"{float(match.group(1)):g}%"}
            elif isinstance(item, dict) and item:
                unknown = sorted(set(item) - GOAL_KEYS)
                if unknown:
                    raise InputError(f"{where}.{unknown[0]}", "unknown service-goal setting",
                                     f"use only: {', '.join(sorted(GOAL_KEYS))}")
                change, shown = {}, {}
                for key, value in item.items():
                    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
                        raise InputError(f"{where}.{key}", f"{value!r} is not a non-negative number",
                                         f"write a number for {key}")
                    change[key] = float(value)
                    shown[key] = f"{value * 100:g}%"
            else:
                raise InputError(where, f"{item!r} is not a service goal",
                                 "write \"90/15\" or {service_level: 0.9, target_s: 15}")
            for key in ("service_level", "deadline_share", "max_abandon", "max_occupancy"):
                if key in change and not 0 < change[key] <= 1:
                    raise InputError(f"{where}.{key}" if not isinstance(item, str) else where,
                                     f"a goal of {shown.get(key)} is {'above 100%' if change[key] > 1 else 'not above 0%'}",
                                     f"{key} is a share of contacts: write 0.9 (or \"90/15\") for 90%")
            if change.get("target_s") == 0 and "service_level" in change:
                raise InputError(where, "a target of 0 seconds cannot be met", "write the target in seconds, e.g. 15")
            for target in targets:
                deadline = bool(site.queue(target).service_goal.deadline_s)
                wrong = sorted(set(change) & ({"service_level", "target_s", "asa_s", "max_abandon"} if deadline
                                              else {"deadline_s", "deadline_share"}))
                if wrong and queue != "all":
                    raise InputError(where, f"queue '{target}' has a {'deadline' if deadline else 'queueing'} goal; "
                                            f"'{wrong[0]}' does not apply to it",
                                     "deadline queues take deadline_s and deadline_share; the others take "
                                     "service_level, target_s, asa_s, max_abandon, max_occupancy")
                out[target] = {k: v for k, v in change.items() if k not in wrong}
        return out

    def agents(self, base: SiteInputs, contract_ids: list[str]) -> dict[str, int]:
        out: dict[str, int] = {}
        for contract, value in self.mapping("agents").items():
            where = f"{self.where}.agents.{contract}"
            if contract not in contract_ids:
                raise InputError(where, f"unknown contract '{contract}'", f"use one of: {', '.join(contract_ids)}")
            if isinstance(value, bool) or not isinstance(value, int) or value == 0:
                raise InputError(where, f"{value!r} is not a whole non-zero number of agents",
                                 "write e.g. +5 to add five agents or -5 to remove five")
            have = sum(1 for a in base.agents if a.contract == contract)
            if value < 0 and -value > have:
                raise InputError(where, f"removes {-value} agents but the site has only {have} on contract {contract}",
                                 f"remove at most {have}")
            out[str(contract)] = value
        return out

    def rules(self, site) -> dict[str, Any]:
        out: dict[str, Any] = {}
        kinds = [spec.kind for spec in site.rule_specs]
        for kind, value in self.mapping("rules").items():
            where = f"{self.where}.rules.{kind}"
            if kinds.count(kind) > 1:
                raise InputError(where, f"the site has {kinds.count(kind)} '{kind}' rules; a scenario cannot tell "
                                        "which to change", "give the change in a copy of the site YAML instead")
            if value in (False, "off", "none"):
                if kind not in kinds:
                    raise InputError(where, f"the site has no '{kind}' rule to switch off",
                                     f"rules in the site: {', '.join(dict.fromkeys(kinds))}")
                out[kind] = None
            elif isinstance(value, dict) and value and "rule" not in value:
                out[kind] = dict(value)
            else:
                raise InputError(where, f"{value!r} is neither `off` nor a mapping of settings",
                                 "write `off`, or e.g. {days: 6}; the rule checks its settings when the plan starts")
        return out

    def fairness(self) -> dict[str, float]:
        out: dict[str, float] = {}
        for key, value in self.mapping("fairness").items():
            where = f"{self.where}.fairness.{key}"
            if key not in DIMENSIONS:
                raise InputError(where, "unknown fairness weight", f"use one of: {', '.join(DIMENSIONS)}")
            if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
                raise InputError(where, f"{value!r} is not a weight of 0 or more", "write e.g. 40")
            out[str(key)] = float(value)
        return out

    def opening_hours(self) -> dict[str, Any]:
        from rules.loader import parse_clock

        out: dict[str, Any] = {}
        for day, value in self.mapping("opening_hours").items():
            where = f"{self.where}.opening_hours.{day}"
            if day not in WEEKDAYS:
                raise InputError(where, f"unknown weekday '{day}'", f"use one of: {', '.join(WEEKDAYS)}")
            if value in ("closed", False):
                out[day] = None
                continue
            if not isinstance(value, list) or len(value) != 2:
                raise InputError(where, f"{value!r} is not an [open, close] pair or `closed`",
                                 f'write e.g. {day}: ["08:00", "20:00"]')
            if parse_clock(value[1], where, allow_24=True) <= parse_clock(value[0], where):
                raise InputError(where, "closing time is not after opening time", "close later than you open")
            out[day] = [str(value[0]), str(value[1])]
        return out

    def solve_for(self, base: SiteInputs, contract_ids: list[str]) -> HeadcountSearch | None:
        value = self.raw.get("solve_for")
        if value is None:
            return None
        where = f"{self.where}.solve_for"
        if not isinstance(value, dict) or "headcount" not in value or set(value) - {"headcount", "min", "max"}:
            raise InputError(where, f"{value!r} is not a headcount search", CHANGE_KEYS["solve_for"])
        contract = str(value["headcount"])
        if contract not in contract_ids:
            raise InputError(f"{where}.headcount", f"unknown contract '{contract}'", f"use one of: {', '.join(contract_ids)}")
        have = sum(1 for a in base.agents if a.contract == contract) + int(self.mapping("agents").get(contract, 0) or 0)
        low, high = value.get("min", 0), value.get("max", max(2 * have, have + 10))
        for key, number in (("min", low), ("max", high)):
            if isinstance(number, bool) or not isinstance(number, int) or number < 0:
                raise InputError(f"{where}.{key}", f"{number!r} is not a whole number of agents", "write e.g. 20")
        if low >= high:
            raise InputError(f"{where}.min", f"min {low} is not below max {high}", "search a range of at least two")
        return HeadcountSearch(contract, int(low), int(high))
