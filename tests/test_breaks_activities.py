"""Breaks, lunch and training are placed by the solver, inside their windows, and checked independently."""
from __future__ import annotations

import dataclasses
import datetime as dt

import pandas as pd
import pytest

from pipeline.inputs import load_inputs
from pipeline.plan import check_roster, run_plan
from rules.base import Activity
from tests.site_factory import BREAKS_SITE_YAML, write_small_site


@pytest.fixture(scope="module")
def outcome(tmp_path_factory):
    files = write_small_site(tmp_path_factory.mktemp("breaks"), site_yaml=BREAKS_SITE_YAML)
    return run_plan(load_inputs(files.site))


def test_every_full_shift_has_a_break_a_lunch_and_training_once(outcome):
    assert outcome.violations == []
    full = [s for s in outcome.roster.shifts if s.shift.template_id == "D8"]
    assert full
    for entry in full:
        names = sorted(a.name for a in entry.activities if a.name != "team training")
        assert names == ["break", "lunch"]
        assert entry.paid_minutes == 450            # unpaid 30-minute lunch
    training = [a for s in outcome.roster.shifts for a in s.activities if a.name == "team training"]
    full_timers = {s.agent_id for s in full}
    assert len(training) == len(full_timers)         # once per full-timer per week


def test_breaks_are_not_fixed_offsets(outcome):
    offsets = {(a.start - s.shift.start) for s in outcome.roster.shifts for a in s.activities if a.name == "break"}
    assert len(offsets) > 1


def test_coverage_loses_the_break_minutes(outcome):
    # Average agents on contacts over the week equals paid shift time less all activity time.
    interval_h = outcome.inputs.site.interval_min / 60
    scheduled_h = float(outcome.roster.coverage["scheduled"].sum()) * interval_h
    on_shift_h = sum(s.shift.minutes for s in outcome.roster.shifts) / 60
    away_h = sum(a.minutes for s in outcome.roster.shifts for a in s.activities) / 60
    assert scheduled_h == pytest.approx(on_shift_h - away_h)


def _tamper(outcome, change):
    shifts = list(outcome.roster.shifts)
    index = next(i for i, s in enumerate(shifts) if s.activities)
    shifts[index] = dataclasses.replace(shifts[index], activities=change(shifts[index]))
    result = dataclasses.replace(outcome.roster, shifts=shifts)
    return {v.rule for v in check_roster(outcome.inputs, outcome.dates, result)}


def test_checkers_catch_a_moved_break_an_overlap_and_a_missing_training(outcome):
    def late_break(entry):
        return tuple(dataclasses.replace(a, start=entry.shift.start + dt.timedelta(hours=7),
                                         end=entry.shift.start + dt.timedelta(hours=7, minutes=15))
                     if a.name == "break" else a for a in entry.activities)

    def overlap(entry):
        lunch = next(a for a in entry.activities if a.name == "lunch")
        return entry.activities + (Activity("meeting", lunch.start, lunch.end, True),)

    def drop_training(entry):
        return tuple(a for a in entry.activities if a.name != "team training")

    assert "breaks" in _tamper(outcome, late_break)
    assert "activities_inside_shift" in _tamper(outcome, overlap)
    trained = next(s for s in outcome.roster.shifts if any(a.name == "team training" for a in s.activities))
    shifts = [dataclasses.replace(s, activities=drop_training(s)) if s is trained else s for s in outcome.roster.shifts]
    result = dataclasses.replace(outcome.roster, shifts=shifts)
    assert "activity" in {v.rule for v in check_roster(outcome.inputs, outcome.dates, result)}
