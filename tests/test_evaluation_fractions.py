"""Scheduled agents keep their fractions in the evaluation; `explain` does not count training as coverage."""
from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from pipeline.inputs import load_inputs
from reports.explain import explain_shift, on_floor_share
from rules.base import Activity, RosterShift, Shift
from scheduler.evaluation import interval_evaluation, queue_summary
from scheduler.staffing.requirements import projected_service_level
from tests.site_factory import BREAKS_SITE_YAML, write_small_site


def test_fractional_scheduled_agents_are_not_truncated(tmp_path):
    files = write_small_site(tmp_path / "site")
    site = load_inputs(files.site).site
    voice = site.queue("voice")
    starts = pd.date_range("2026-03-02 09:00", periods=3, freq="60min", tz=site.timezone)
    requirements = pd.DataFrame({"queue": "voice", "start": starts, "contacts": [20.0, 20.0, 20.0],
                                 "aht_s": [300.0] * 3, "agents_net": [3, 3, 3], "agents": [4, 4, 4]})
    coverage = pd.DataFrame({"queue": "voice", "start": starts, "scheduled": [3.5, 4.0, 3.75]})
    evaluation = interval_evaluation(site, requirements, coverage)
    assert evaluation["scheduled"].tolist() == [3.5, 4.0, 3.75]
    expected = projected_service_level(np.full(3, 20.0), np.full(3, 300.0), 3600.0,
                                       np.array([3.5, 4.0, 3.75]) * (1 - voice.shrinkage), voice.service_goal)
    assert evaluation["projected_sl"].to_numpy() == pytest.approx(expected)
    # 3.5 agents serve better than the 3 a truncation would have counted.
    at_three = projected_service_level(np.array([20.0]), np.array([300.0]), 3600.0,
                                       np.array([3 * (1 - voice.shrinkage)]), voice.service_goal)[0]
    assert evaluation["projected_sl"].iloc[0] > at_three
    summary = queue_summary(site, evaluation).set_index("queue")
    assert summary.loc["voice", "scheduled_agent_hours"] == pytest.approx(11.25)
    assert summary.loc["voice", "coverage"] == pytest.approx((3.5 + 4 + 3.75) / 12)
    assert summary.loc["voice", "intervals_short"] == 2


def test_on_floor_share_takes_out_activities():
    tz = dt.timezone.utc
    day = dt.date(2026, 3, 2)
    at = lambda h, m=0: dt.datetime(2026, 3, 2, h, m, tzinfo=tz)
    entry = RosterShift("T01", Shift("D8", day, at(9), at(17)),
                        (Activity("break", at(10, 15), at(10, 30), True),
                         Activity("team training", at(11), at(12), True)))
    hour = pd.Timedelta(minutes=60)
    assert on_floor_share(entry, pd.Timestamp(at(9)), hour) == 1.0
    assert on_floor_share(entry, pd.Timestamp(at(10)), hour) == 0.75
    assert on_floor_share(entry, pd.Timestamp(at(11)), hour) == 0.0
    assert on_floor_share(entry, pd.Timestamp(at(17)), hour) == 0.0


@pytest.mark.slow
def test_explain_does_not_count_training_as_coverage(tmp_path):
    from run_schedule import main

    files = write_small_site(tmp_path / "site", site_yaml=BREAKS_SITE_YAML)
    out = tmp_path / "out"
    assert main(["plan", "--site", str(files.site), "--out", str(out), "--time-limit", "5"]) in (0, 1)
    activities = pd.read_csv(out / "activities.csv")
    training = activities[activities["activity"] == "team training"].iloc[0]
    inputs = load_inputs(files.site)
    text = explain_shift(inputs, out, training["agent_id"], dt.date.fromisoformat(training["date"]))
    roster = pd.read_csv(out / "roster.csv")
    shift = roster[(roster["agent_id"] == training["agent_id"]) & (roster["date"] == training["date"])].iloc[0]
    start, end = pd.Timestamp(shift["start"]), pd.Timestamp(shift["end"])
    hours = int((end - start) / pd.Timedelta(hours=1))
    # An hour spent wholly in training (or breaks) is not an interval the agent serves; one the training
    # only overlaps still is. Which hours those are depends on where the roster put the training.
    away_spans = activities[(activities["agent_id"] == training["agent_id"]) & (activities["date"] == training["date"])]
    spans = [(pd.Timestamp(a), pd.Timestamp(b)) for a, b in zip(away_spans["start"], away_spans["end"])]
    away = 0
    for h in range(hours):
        hour_start = start + pd.Timedelta(hours=h)
        minutes_away = sum(max(0.0, (min(b, hour_start + pd.Timedelta(hours=1)) - max(a, hour_start)).total_seconds() / 60)
                           for a, b in spans)
        away += minutes_away >= 60
    assert f"of {hours - away} intervals the queue would be short without them" in text
    if away:
        assert f"{away} interval(s) spent wholly in breaks, training or meetings" in text
    else:       # training across two hours: each still served, for half of it
        assert "spent wholly" not in text


def test_projected_asa_and_occupancy_interpolate_between_whole_agents(tmp_path):
    from scheduler.evaluation import projected_metrics
    from scheduler.staffing import models

    files = write_small_site(tmp_path / "site")
    site = load_inputs(files.site).site
    goal = site.queue("voice").service_goal
    frame = pd.DataFrame({"queue": "voice", "contacts": [40.0, 40.0, 40.0, 0.0], "aht_s": [300.0] * 4,
                          "agents_net_on_floor": [5.0, 6.0, 5.5, 3.0]})
    got = projected_metrics(site, frame)
    whole = models.metrics(np.full(2, 40.0), np.full(2, 300.0), 3600.0, np.array([5.0, 6.0]), goal)
    assert got["projected_asa_s"][:2] == pytest.approx(whole["asa_s"])
    assert got["projected_occupancy"][:2] == pytest.approx(whole["occupancy"])
    assert got["projected_asa_s"][2] == pytest.approx(whole["asa_s"].mean())
    assert got["projected_asa_s"][2] < got["projected_asa_s"][0]
    assert got["projected_asa_s"][3] == 0.0
