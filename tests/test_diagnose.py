"""An impossible week is explained by the smallest set of rules that clash, per agent."""
from __future__ import annotations

import datetime as dt

from rules.agents_file import load_agents, load_time_off
from rules.catalogue import site_rules
from rules.loader import load_site
from scheduler.roster.diagnose import find_conflicts
from scheduler.roster.model import RosterProblem
from scheduler.roster.week import planning_dates
from tests.site_factory import SMALL_SITE_YAML, write_small_site


def _problem(files):
    site = load_site(files.site)
    agents = load_agents(files.agents, site)
    time_off = load_time_off(files.time_off, agents)
    return RosterProblem(site, agents, time_off, planning_dates(dt.date(2026, 3, 2)), site_rules(site, time_off))


def test_feasible_site_has_no_conflicts(tmp_path):
    assert find_conflicts(_problem(write_small_site(tmp_path))) == []


def test_days_off_against_contract_hours_names_exactly_those_two(tmp_path):
    # Full-timers need 32 h from 8-hour shifts (4 days); 4 days off a week leaves only 3.
    yaml = SMALL_SITE_YAML.replace("{rule: min_days_off_per_week, days: 2}", "{rule: min_days_off_per_week, days: 4}")
    conflicts = find_conflicts(_problem(write_small_site(tmp_path, site_yaml=yaml)))
    full_timers = {"T01", "T02", "T03", "T04", "T08"}
    assert {c.agent.agent_id for c in conflicts} == full_timers
    for conflict in conflicts:
        assert sorted(r.kind for r in conflict.rules) == ["contract_weekly_hours", "min_days_off_per_week"]
        assert "at least 4 days off per week" in conflict.message()
        assert "contract FT needs 32-40 paid hours a week" in conflict.message()
