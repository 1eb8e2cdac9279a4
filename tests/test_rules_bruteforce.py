"""Each rule's CP-SAT encoding admits exactly the rosters its independent checker accepts.

For one agent on a small week we enumerate every possible roster by brute force,
keep those no checker objects to, and compare the count (and the set) with the
rosters CP-SAT enumerates from the encodings.
"""
from __future__ import annotations

import datetime as dt
import itertools

import pytest

from rules.base import RosterShift, RosterView
from rules.catalogue import site_rules
from rules.loader import load_site
from rules.site import Agent, TimeOff
from scheduler.roster.week import planning_dates, shift_options
from tests.roster_enumeration import encoded_rosters

SITE = """\
site:
  name: Brute
  timezone: Europe/London
  interval_min: 60
  opening_hours: {{mon: ["08:00", "20:00"], tue: ["08:00", "20:00"], wed: ["08:00", "20:00"],
                  thu: ["08:00", "20:00"], fri: ["08:00", "20:00"]}}
queues:
  - {{id: voice, channel: voice, service_goal: {{service_level: 0.8, target_s: 20}}}}
shift_templates:
  - {{id: A, length_min: 480, earliest_start: "08:00", latest_start: "12:00", start_step_min: 240}}
  - {{id: B, length_min: 240, earliest_start: "08:00", latest_start: "08:00", start_step_min: 60}}
contracts:
  - {{id: C, min_hours_week: {min_h}, max_hours_week: {max_h}, shift_templates: [A, B]}}
rules:
{rules}
"""

RULE_SETS = {
    "rest_and_succession": ["  - {rule: min_rest_between_shifts, hours: 13}",
                            "  - {rule: forbidden_succession, first: B, then: A}"],
    "runs_and_days_off": ["  - {rule: max_consecutive_days, days: 2}",
                          "  - {rule: min_days_off_per_week, days: 3}"],
    "type_limit": ["  - {rule: max_shifts_of_type_per_week, shift: A, max: 2}"],
    "everything": ["  - {rule: min_rest_between_shifts, hours: 13}",
                   "  - {rule: max_consecutive_days, days: 3}",
                   "  - {rule: min_days_off_per_week, days: 3}",
                   "  - {rule: max_shifts_of_type_per_week, shift: A, max: 2}",
                   "  - {rule: forbidden_succession, first: B, then: A}"],
}


def _site(tmp_path, rules, min_h=8, max_h=24):
    path = tmp_path / "site.yaml"
    path.write_text(SITE.format(rules="\n".join(rules) or "  []", min_h=min_h, max_h=max_h).replace("rules:\n  []", "rules: []"))
    return load_site(path)


def _brute_force(site, agent, time_off, dates):
    rules = site_rules(site, time_off)
    per_day = [[None] + shift_options(site, d) for d in dates]
    accepted = set()
    for choice in itertools.product(*per_day):
        shifts = tuple(RosterShift(agent.agent_id, s) for s in choice if s is not None)
        view = RosterView(site, {agent.agent_id: agent}, tuple(time_off), dates, shifts)
        if not any(rule.check(view) for rule in rules):
            accepted.add(tuple((s.template_id, s.start) if s else None for s in choice))
    return accepted


def _encoded(site, agent, time_off, dates):
    return set(encoded_rosters(site, agent, dates, time_off, key_of=lambda s: (s.template_id, s.start)))


@pytest.mark.parametrize("name", sorted(RULE_SETS))
def test_encoding_and_checker_agree_on_every_roster(tmp_path, name):
    site = _site(tmp_path, RULE_SETS[name])
    agent = Agent("X1", "X", "C", ("voice",), available_from_min=8 * 60, available_to_min=20 * 60)
    dates = planning_dates(dt.date(2026, 3, 2))      # Mon..Sun, open Mon-Fri
    time_off = [TimeOff("X1", dt.date(2026, 3, 6))]   # Friday: leaves a 4-day run possible
    brute = _brute_force(site, agent, time_off, dates)
    encoded = _encoded(site, agent, time_off, dates)
    assert brute, "the brute force must accept some rosters or the comparison says nothing"
    assert encoded == brute


def test_availability_window_and_contract_hours_agree(tmp_path):
    site = _site(tmp_path, [], min_h=12, max_h=16)
    agent = Agent("X2", "X", "C", ("voice",), available_from_min=8 * 60, available_to_min=16 * 60,
                  unavailable_days=("fri",))
    dates = planning_dates(dt.date(2026, 3, 2))
    brute = _brute_force(site, agent, [], dates)
    assert brute and _encoded(site, agent, [], dates) == brute
    # 12-16 h from 4 h or 8 h shifts that end by 16:00, Monday to Thursday only.
    assert all(key[4] is None for key in brute)
