"""Fairness inputs: the ledger round trip, old ledgers, and planner mistakes named where they are."""
from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from common.errors import InputError
from rules.agents_file import LEDGER_COLUMNS, load_ledger
from rules.base import RosterShift, RosterView
from rules.catalogue import configured_rules
from rules.fairness import Fairness, updated_ledger
from rules.loader import load_site
from rules.site import Agent
from scheduler.roster.week import planning_dates, shift_options
from tests.site_factory import SMALL_SITE_YAML

MONDAY = dt.date(2026, 3, 2)


def _site(tmp_path, rules: list[str], site_yaml: str = SMALL_SITE_YAML):
    text = site_yaml.replace("  - {rule: min_days_off_per_week, days: 2}\n",
                             "  - {rule: min_days_off_per_week, days: 2}\n" + "".join(f"  - {r}\n" for r in rules))
    path = tmp_path / "site.yaml"
    path.write_text(text)
    return load_site(path)


def test_ledger_round_trip_carries_every_column(tmp_path):
    site = _site(tmp_path, ["{rule: preferences, requests: [{agent: T05, date: 2026-03-03, want: false, weight: 1},"
                            " {agent: T05, date: 2026-03-04, start: '09:00', weight: 1}]}"])
    agent = Agent("T05", "Ed", "PT", ("voice",))
    dates = planning_dates(MONDAY)
    p4 = {s.date: s for d in dates for s in shift_options(site, d) if s.template_id == "P4" and s.start.hour == 9}
    shifts = tuple(RosterShift("T05", p4[MONDAY + dt.timedelta(days=k)]) for k in range(4))   # Mon-Thu, 16 h
    view = RosterView(site, {"T05": agent}, (), dates, shifts)
    past = {"T05": {"weeks": 3, "weekends_worked": 1, "late_shifts": 0, "preferences_asked": 4,
                    "preferences_unmet": 1, "extra_hours": 2.5}}
    rows = updated_ledger(past, view)
    path = tmp_path / "ledger.csv"
    pd.DataFrame(rows, columns=LEDGER_COLUMNS).to_csv(path, index=False)
    again = load_ledger(path)
    # Tue off was wished and denied (worked); a 09:00 start Wed was granted; 16 h is 4 above PT's 12.
    assert again == {"T05": {"weeks": 4, "weekends_worked": 1, "late_shifts": 0, "preferences_asked": 6,
                             "preferences_unmet": 2, "extra_hours": 6.5}}


def test_an_old_ledger_without_the_new_columns_still_loads(tmp_path):
    path = tmp_path / "ledger.csv"
    path.write_text("agent_id,weeks,weekends_worked,late_shifts\nT01,8,6,2\n")
    assert load_ledger(path) == {"T01": {"weeks": 8, "weekends_worked": 6, "late_shifts": 2, "preferences_asked": 0,
                                         "preferences_unmet": 0, "extra_hours": 0}}


@pytest.mark.parametrize("row, column, problem", [
    ("T01,8,6,2,3,5,0", "preferences_unmet", "more than the 3 requests"),
    ("T01,8,6,2,3,1,lots", "extra_hours", "not a number"),
    ("T01,8,6,2,3.5,1,0", "preferences_asked", "whole number"),
    ("T01,8,6,2,3,1,-4", "extra_hours", "below the minimum"),
])
def test_bad_ledger_values_name_row_and_column(tmp_path, row, column, problem):
    path = tmp_path / "ledger.csv"
    path.write_text(",".join(LEDGER_COLUMNS) + "\n" + row + "\n")
    with pytest.raises(InputError) as caught:
        load_ledger(path)
    assert caught.value.where == f"{path} row 2, column '{column}'"
    assert problem in caught.value.problem


@pytest.mark.parametrize("rule, key, problem", [
    ("{rule: fairness, unmet_preferences: -1}", "unmet_preferences", "below 0"),
    ("{rule: fairness, extra_hours: lots}", "extra_hours", "not a number"),
    ("{rule: fairness, unmet_preferences: 20}", "unmet_preferences", "no preferences rule"),
    ("{rule: fairness, extra_hour: 2}", "extra_hour", "unknown setting"),
])
def test_bad_fairness_settings_name_the_key(tmp_path, rule, key, problem):
    with pytest.raises(InputError) as caught:
        configured_rules(_site(tmp_path, [rule]))
    assert caught.value.where.endswith(f".{key}")
    assert problem in caught.value.problem


def test_extra_hours_needs_a_contract_with_an_hours_band(tmp_path):
    fixed = SMALL_SITE_YAML.replace("min_hours_week: 32, max_hours_week: 40", "min_hours_week: 40, max_hours_week: 40"
                                    ).replace("min_hours_week: 12, max_hours_week: 20", "min_hours_week: 20, max_hours_week: 20")
    with pytest.raises(InputError) as caught:
        configured_rules(_site(tmp_path, ["{rule: fairness, extra_hours: 2}"], fixed))
    assert caught.value.where.endswith(".extra_hours") and "hours band" in caught.value.problem


def test_a_fairness_rule_with_nothing_to_share_is_refused(tmp_path):
    with pytest.raises(InputError, match="at least one of weekends, late_shifts, unmet_preferences, extra_hours"):
        configured_rules(_site(tmp_path, ["{rule: fairness}"]))


def test_preferences_from_a_csv_file(tmp_path):
    (tmp_path / "wishes.csv").write_text("agent_id,date,shift,start,want,weight\n"
                                         "T01,2026-03-03,,,false,20\nT05,2026-03-04,P4,10:00,,5\n")
    rules = configured_rules(_site(tmp_path, ["{rule: preferences, requests_file: wishes.csv}",
                                              "{rule: fairness, unmet_preferences: 10}"]))
    fairness = next(r for r in rules if isinstance(r, Fairness))
    wishes = [r for rule in fairness.wish_rules for r in rule.requests]
    assert [(r.agent_id, r.date.day, r.template_id, r.start_min, r.want, r.weight) for r in wishes] == [
        ("T01", 3, None, None, False, 20.0), ("T05", 4, "P4", 600, True, 5.0)]


@pytest.mark.parametrize("row, column, problem", [
    ("T01,2026-03-03,,,maybe,20", "want", "not true or false"),
    ("T01,2026-03-03,X9,,,20", "shift", "does not exist"),
    ("T01,3 March,,,,20", "date", "not a date"),
    ("T01,2026-03-03,,25:00,,20", "start", "not a time"),
    ("T01,2026-03-03,,,,", "weight", "not a positive number"),
])
def test_bad_preference_rows_name_row_and_column(tmp_path, row, column, problem):
    path = tmp_path / "wishes.csv"
    path.write_text("agent_id,date,shift,start,want,weight\n" + row + "\n")
    with pytest.raises(InputError) as caught:
        configured_rules(_site(tmp_path, ["{rule: preferences, requests_file: wishes.csv}"]))
    assert caught.value.where == f"{path} row 2, column '{column}'"
    assert problem in caught.value.problem
