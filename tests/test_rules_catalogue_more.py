"""The newer rules' encodings admit exactly the rosters their independent checkers accept, and charge the same.

One agent, a short period that is open every day (so it has weekends, and
weekends cut by the period's ends), every roster enumerated by brute force.
Hard rules: the set CP-SAT enumerates equals the set no checker objects to.
Soft rules: for every roster, the least penalty the model allows equals what
the checkers charge. Each case also checks that the rule bites (the sets or
penalties differ from the rule-free ones), so a mutated encoding or checker
cannot pass by accident.
"""
from __future__ import annotations

import datetime as dt
import itertools

import pytest

from common.errors import InputError
from rules.base import RosterShift, RosterView
from rules.catalogue import hard_violations, site_rules, soft_penalties
from rules.loader import load_site
from rules.site import Agent, TimeOff
from scheduler.roster.week import planning_dates, shift_options
from tests.roster_enumeration import encoded_rosters

SITE = """\
site:
  name: Brute7
  timezone: UTC
  interval_min: 60
  opening_hours: {{mon: ["00:00", "24:00"], tue: ["00:00", "24:00"], wed: ["00:00", "24:00"],
                  thu: ["00:00", "24:00"], fri: ["00:00", "24:00"], sat: ["00:00", "24:00"],
                  sun: ["00:00", "24:00"]}}
queues:
  - {{id: voice, channel: voice, service_goal: {{service_level: 0.8, target_s: 20}}}}
shift_templates:
{templates}
contracts:
  - {{id: C, min_hours_week: 0, max_hours_week: 168, shift_templates: [{ids}]}}
  - {{id: Other, min_hours_week: 0, max_hours_week: 168, shift_templates: [{ids}]}}
rules:
{rules}
"""
TEMPLATES = {
    "E": '  - {id: E, length_min: 480, earliest_start: "06:00", latest_start: "06:00", start_step_min: 60}',
    "L": '  - {id: L, length_min: 480, earliest_start: "14:00", latest_start: "14:00", start_step_min: 60}',
}
SUNDAY = dt.date(2026, 3, 1)     # Sun; nine days run Sun .. Mon: a weekend cut by the start, one whole one
SATURDAY = dt.date(2026, 2, 28)  # Sat; eight days run Sat .. Sat: a whole weekend, one cut by the end


def _site(tmp_path, rules, templates=("E",)):
    path = tmp_path / "site.yaml"
    path.write_text(SITE.format(templates="\n".join(TEMPLATES[t] for t in templates), ids=", ".join(templates),
                                rules="\n".join(f"  - {r}" for r in rules) if rules else "  []")
                    .replace("rules:\n  []", "rules: []"))
    return load_site(path)


def _key(choice):
    return tuple(s.template_id if s else None for s in choice)


def _brute_force(site, agent, dates, time_off=()):
    """roster key -> (hard ok, soft penalty) by the checkers."""
    rules = site_rules(site, list(time_off))
    per_day = [[None] + shift_options(site, d) for d in dates]
    found = {}
    for choice in itertools.product(*per_day):
        shifts = tuple(RosterShift(agent.agent_id, s) for s in choice if s is not None)
        view = RosterView(site, {agent.agent_id: agent}, tuple(time_off), dates, shifts)
        found[_key(choice)] = (not hard_violations(rules, view), sum(p.amount for p in soft_penalties(rules, view)))
    return found


def _encoded(site, agent, dates, time_off=()):
    """roster key -> least penalty over the model's auxiliary variables, for every roster the model admits."""
    return encoded_rosters(site, agent, dates, time_off)


def _agree(tmp_path, rules, templates=("E",), days=9, agent_contract="C", time_off=(), first=SUNDAY):
    site = _site(tmp_path, rules, templates)
    agent = Agent("X1", "X", agent_contract, ("voice",))
    dates = planning_dates(first, days if first == SUNDAY else 8)
    brute = _brute_force(site, agent, dates, time_off)
    encoded = _encoded(site, agent, dates, time_off)
    accepted = {k: cost for k, (ok, cost) in brute.items() if ok}
    assert accepted, "the checkers must accept some rosters or the comparison says nothing"
    assert set(encoded) == set(accepted)
    assert encoded == pytest.approx(accepted)
    return accepted, len(brute)


HARD_CASES = {
    "min_days_2": ["{rule: min_consecutive_days, days: 2}"],
    "min_days_3_strict": ["{rule: min_consecutive_days, days: 3, exempt_edges: false}"],
    "min_off_2": ["{rule: min_consecutive_days_off, days: 2}"],
    "min_off_3_strict": ["{rule: min_consecutive_days_off, days: 3, exempt_edges: false}"],
    "max_weekends_1": ["{rule: max_weekends_worked, max: 1}"],
    "complete_weekends": ["{rule: complete_weekends}"],
    "shifts_3_to_5": ["{rule: shifts_per_period, min: 3, max: 5}"],
    "together": ["{rule: min_consecutive_days, days: 2}", "{rule: min_consecutive_days_off, days: 2}",
                 "{rule: max_weekends_worked, max: 1}", "{rule: max_consecutive_days, days: 4}"],
}


WEEKEND_CASES = {"max_weekends_1", "complete_weekends", "together", "max_weekends_soft", "complete_weekends_soft"}


def _starts(cases):
    return [(name, first) for name in sorted(cases) for first in
            ((SUNDAY, SATURDAY) if name in WEEKEND_CASES else (SUNDAY,))]


@pytest.mark.parametrize("name, first", _starts(HARD_CASES))
def test_hard_rules_agree_on_every_roster(tmp_path, name, first):
    accepted, total = _agree(tmp_path, HARD_CASES[name], first=first)
    assert len(accepted) < total, "the rule must forbid some roster"
    assert all(cost == 0 for cost in accepted.values())


def test_edge_exemption_changes_what_is_allowed(tmp_path):
    for rule in ("min_consecutive_days", "min_consecutive_days_off"):
        exempt, _ = _agree(tmp_path, [f"{{rule: {rule}, days: 2}}"])
        strict, _ = _agree(tmp_path, [f"{{rule: {rule}, days: 2, exempt_edges: false}}"])
        assert set(strict) < set(exempt)
        cut_at_start = ("E", None, None, None, None, None, None, None, None)   # one day of work on day 0
        if rule == "min_consecutive_days_off":
            cut_at_start = (None,) + ("E",) * 8                                  # one day off on day 0
        assert cut_at_start in exempt and cut_at_start not in strict


def test_shift_type_counts_and_time_off(tmp_path):
    accepted, total = _agree(tmp_path, ["{rule: shifts_per_period, shift: L, min: 1, max: 2}",
                                        "{rule: forbidden_succession, first: L, then: E}"],
                             templates=("E", "L"), days=6, time_off=[TimeOff("X1", SUNDAY + dt.timedelta(days=2))])
    assert len(accepted) < total
    assert all(sum(1 for t in key if t == "L") in (1, 2) and key[2] is None for key in accepted)


SOFT_CASES = {
    "min_days_soft": ["{rule: min_consecutive_days, days: 3, soft: true, weight: 5}"],
    "min_off_soft_strict": ["{rule: min_consecutive_days_off, days: 2, exempt_edges: false, soft: true, weight: 3}"],
    "max_weekends_soft": ["{rule: max_weekends_worked, max: 0, soft: true, weight: 7}"],
    "complete_weekends_soft": ["{rule: complete_weekends, soft: true, weight: 2}"],
    "shifts_soft": ["{rule: shifts_per_period, min: 4, max: 6, soft: true, weight: 1.5}"],
}


@pytest.mark.parametrize("name, first", _starts(SOFT_CASES))
def test_soft_rules_charge_what_the_checkers_charge(tmp_path, name, first):
    accepted, total = _agree(tmp_path, SOFT_CASES[name], first=first)
    assert len(accepted) == total, "a soft rule forbids nothing"
    assert len(set(accepted.values())) >= (2 if name in WEEKEND_CASES else 3), "penalties must vary with the roster"


def test_preferences_charge_each_request_not_granted(tmp_path):
    dates = planning_dates(SUNDAY, 6)
    rules = ["rule: preferences\n    requests:\n"
             f"      - {{agent: X1, date: {dates[0]}, shift: E, weight: 2}}\n"
             f"      - {{agent: X1, date: {dates[1]}, shift: L, want: false, weight: 3}}\n"
             f"      - {{agent: X1, date: {dates[2]}, want: false, weight: 4}}\n"
             f"      - {{agent: X1, date: {dates[3]}, start: \"14:00\", weight: 5}}\n"
             f"      - {{agent: X1, date: {dates[4]}, weight: 6}}\n"
             f"      - {{agent: Y9, date: {dates[5]}, weight: 100}}"]
    accepted, total = _agree(tmp_path, rules, templates=("E", "L"), days=6)
    assert len(accepted) == total
    assert accepted[(None,) * 6] == 2 + 5 + 6
    assert accepted[("E", "L", "E", "L", "E", None)] == 3 + 4
    assert accepted[("L", "E", None, "E", "L", "L")] == 2 + 5


def test_scope_limits_a_rule_to_its_agents_and_contracts(tmp_path):
    free, total = _agree(tmp_path, [])
    assert len(free) == total
    bound, _ = _agree(tmp_path, ["{rule: min_consecutive_days, days: 3, contracts: [C]}"])
    assert len(bound) < total
    assert set(_agree(tmp_path, ["{rule: min_consecutive_days, days: 3, contracts: [Other]}"])[0]) == set(free)
    assert set(_agree(tmp_path, ["{rule: min_consecutive_days, days: 3, agents: [Y9]}"])[0]) == set(free)
    assert set(_agree(tmp_path, ["{rule: min_consecutive_days, days: 3, agents: [X1], contracts: [C]}"])[0]) == \
        set(bound)
    soft, _ = _agree(tmp_path, ["{rule: complete_weekends, soft: true, weight: 2, agents: [Y9]}"])
    assert set(soft.values()) == {0}
    wishes = (f"rule: preferences\n    contracts: [Other]\n    requests:\n"
              f"      - {{agent: X1, date: {SUNDAY}, weight: 2}}")
    assert set(_agree(tmp_path, [wishes], days=4)[0].values()) == {0}


@pytest.mark.parametrize("rule, problem", [
    ("{rule: min_consecutive_days, days: 2, contracts: [Nope]}", "contract 'Nope'"),
    ("{rule: min_consecutive_days, days: 2, exempt_edges: maybe}", "not true or false"),
    ("{rule: max_weekends_worked}", "needs 'max'"),
    ("{rule: shifts_per_period, shift: E}", "needs 'min:' or 'max:'"),
    ("{rule: shifts_per_period, min: 5, max: 2}", "above max"),
    ("{rule: complete_weekends, soft: true}", "needs 'weight'"),
    ("{rule: max_weekends_worked, max: 1, agents: []}", "not a list of ids"),
    ("{rule: preferences, requests: [{agent: X1, date: 2026-03-01, shift: Q, weight: 1}]}", "does not exist"),
    ("{rule: preferences, requests: [{agent: X1, date: 2026-03-01}]}", "positive number"),
    ("{rule: preferences, requests: [{agent: X1, date: 'March 1', weight: 1}]}", "not a date"),
])
def test_bad_rule_settings_name_the_entry(tmp_path, rule, problem):
    site = _site(tmp_path, [rule])
    with pytest.raises(InputError) as caught:
        site_rules(site, [])
    assert problem in caught.value.message and "rules[0]" in caught.value.message
