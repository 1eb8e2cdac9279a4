"""Apply a scenario: a changed copy of the loaded site (inputs are values; nothing is read again).

Rules are derived again from the changed site, as `load_inputs` derives them
from the YAML; the forecast is the base forecast with the scenario's volume and
handle-time changes, so every scenario plans against the same forecast.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import replace

from common.errors import InputError
from pipeline.inputs import SiteInputs
from pipeline.plan import ForecastUsed
from rules.catalogue import site_rules
from rules.loader import _contract, _Reader, _template, parse_clock
from rules.site import Agent, OpeningHours, RuleSpec, Site
from scenarios.spec import Scenario

VOLUME_COLUMNS = ("contacts", "contacts_lo", "contacts_hi", "contacts_lo95", "contacts_hi95")


def apply_scenario(base: SiteInputs, scenario: Scenario) -> SiteInputs:
    """The base inputs with the scenario's changes to the site, rules and agents (the forecast: scale_forecast)."""
    site = _changed_site(base.site, scenario)
    agents = list(base.agents)
    for contract, change in scenario.agents.items():
        have = sum(1 for a in agents if a.contract == contract)
        agents = with_headcount(agents, site, contract, have + change)
    known = {a.agent_id for a in agents}
    time_off = [t for t in base.time_off if t.agent_id in known]
    for agent in agents:
        if agent.contract not in {c.id for c in site.contracts}:
            raise InputError(f"{scenario.where}.contracts", f"agent {agent.agent_id}'s contract '{agent.contract}' "
                             "is gone", "keep every contract the agents use")
    rules = site_rules(site, time_off)
    return replace(base, site=site, agents=agents, time_off=time_off, rules=rules)


def scale_forecast(used: ForecastUsed, scenario: Scenario) -> ForecastUsed:
    """The base forecast with the scenario's volume and AHT changes per queue."""
    if not scenario.volume and not scenario.aht:
        return used
    raw = used.raw.copy()
    for queue, factor in scenario.volume.items():
        rows = raw["queue"] == queue
        for column in VOLUME_COLUMNS:
            if column in raw:
                raw.loc[rows, column] = raw.loc[rows, column] * factor
    for queue, factor in scenario.aht.items():
        raw.loc[raw["queue"] == queue, "aht_s"] = raw.loc[raw["queue"] == queue, "aht_s"] * factor
    return replace(used, raw=raw, source=f"{used.source}, changed by the scenario ({scenario.changes()})")


def with_headcount(agents: list[Agent], site: Site, contract: str, count: int) -> list[Agent]:
    """The agents with exactly `count` on `contract`: the last ones in file order removed, or new ones added
    with the contract's usual skills and availability (the most common among its agents, else the site's)."""
    mine = [a for a in agents if a.contract == contract]
    if count <= len(mine):
        drop = {a.agent_id for a in mine[count:]}
        return [a for a in agents if a.agent_id not in drop]
    model = mine or agents
    skills = _most_common([a.skills for a in model])
    window = _most_common([(a.available_from_min, a.available_to_min, a.unavailable_days) for a in model])
    taken = {a.agent_id for a in agents}
    added, k = [], 0
    while len(mine) + len(added) < count:
        k += 1
        agent_id = f"{contract}-new{k:02d}"
        if agent_id in taken:
            continue
        added.append(Agent(agent_id, f"New {contract} {k}", contract, skills, window[0], window[1], window[2]))
    return list(agents) + added


def _most_common(values: list):
    counts = Counter(values)
    best = max(counts.values())
    return next(v for v in values if counts[v] == best)   # ties: the first in file order


def _changed_site(site: Site, scenario: Scenario) -> Site:
    queues = []
    for queue in site.queues:
        goal = queue.service_goal
        if queue.id in scenario.service_goal:
            goal = replace(goal, **scenario.service_goal[queue.id])
        queues.append(replace(queue, service_goal=goal, shrinkage=scenario.shrinkage.get(queue.id, queue.shrinkage)))
    templates = {t.id: t for t in site.shift_templates}
    for i, raw in enumerate(scenario.shift_templates):
        template = _template(_Reader(scenario.where, raw, f"shift_templates[{i}]"), site.interval_min)
        templates[template.id] = template
    contracts = {c.id: c for c in site.contracts}
    for i, raw in enumerate(scenario.contracts):
        contract = _contract(_Reader(scenario.where, raw, f"contracts[{i}]"), list(templates))
        contracts[contract.id] = contract
    hours = dict(site.opening_hours)
    for day, pair in scenario.opening_hours.items():
        where = f"{scenario.where}.opening_hours.{day}"
        if pair is None:
            hours.pop(day, None)
        else:
            hours[day] = OpeningHours(parse_clock(pair[0], where), parse_clock(pair[1], where, allow_24=True))
    if not hours:
        raise InputError(f"{scenario.where}.opening_hours", "the site would never be open", "keep at least one day open")
    return replace(site, queues=tuple(queues), shift_templates=tuple(templates.values()),
                   contracts=tuple(contracts.values()), opening_hours=hours,
                   rule_specs=_changed_rules(site.rule_specs, scenario))


def _changed_rules(specs: tuple[RuleSpec, ...], scenario: Scenario) -> tuple[RuleSpec, ...]:
    changes = dict(scenario.rules)
    if scenario.fairness:
        current = next((s.params for s in specs if s.kind == "fairness"), {})
        changes["fairness"] = {**current, **changes.get("fairness", {}), **scenario.fairness}
    out = []
    for spec in specs:
        if spec.kind not in changes:
            out.append(spec)
        elif changes[spec.kind] is not None:
            out.append(RuleSpec(spec.kind, {**spec.params, **changes[spec.kind]},
                                f"{scenario.where}.rules.{spec.kind} (changing {spec.where})"))
    for kind, params in changes.items():
        if params is not None and kind not in {s.kind for s in specs}:
            out.append(RuleSpec(kind, dict(params), f"{scenario.where}.rules.{kind}"))
    return tuple(out)
