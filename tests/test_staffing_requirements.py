"""The pipeline-facing staffing API: agents required, shrinkage, projected service level, the frame."""
from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from common.errors import InputError
from rules.service_goal import ServiceGoal
from rules.site import Queue
from scheduler.staffing import erlang_c
from scheduler.staffing.requirements import (
    agents_required, projected_service_level, requirements_frame, scheduled_agents,
)

FIXTURE = Path(__file__).parent / "fixtures" / "erlang_reference.csv"


def _erlang_c_rows(metric: str) -> list[dict]:
    with FIXTURE.open() as fh:
        return [r for r in csv.DictReader(fh) if r["model"] == "erlang_c" and r["metric"] == metric]


def test_service_level_matches_published_erlang_c_values():
    rows = _erlang_c_rows("service_level")
    assert len(rows) == 26
    calls = np.array([float(r["calls_per_interval"]) for r in rows])
    aht = np.array([float(r["aht_seconds"]) for r in rows])
    interval = np.array([float(r["interval_seconds"]) for r in rows])
    agents = np.array([float(r["agents"]) for r in rows])
    for i, r in enumerate(rows):
        goal = ServiceGoal(service_level=0.8, target_s=float(r["target_seconds"]))
        got = projected_service_level(calls[i:i + 1], aht[i:i + 1], float(interval[i]), agents[i:i + 1], goal)[0]
        assert abs(got - float(r["value"])) <= float(r["tolerance"]), (r, got)


def test_agents_required_equals_the_published_requirement():
    (row,) = _erlang_c_rows("agents_required_sl80_occ85")
    goal = ServiceGoal(service_level=0.8, target_s=float(row["target_seconds"]), max_occupancy=0.85)
    got = agents_required(np.array([100.0]), np.array([180.0]), 1800.0, goal)
    assert got.tolist() == [int(row["value"])]


def test_agents_required_is_the_least_staffing_meeting_every_target():
    rng = np.random.default_rng(3)
    load = rng.uniform(0.1, 300.0, 400)
    aht = rng.uniform(60, 900, 400)
    contacts = load * 1800.0 / aht
    goal = ServiceGoal(service_level=0.8, target_s=20.0, asa_s=15.0, max_occupancy=0.9)
    n = agents_required(contacts, aht, 1800.0, goal).astype(float)

    def meets(k: np.ndarray) -> np.ndarray:
        m = erlang_c.metrics(k, load, aht, 20.0)
        return (m["service_level"] >= 0.8) & (m["asa_s"] <= 15.0) & (load / k <= 0.9)

    assert meets(n).all()
    assert not meets(n - 1).any()


def test_zero_contacts_need_zero_agents_and_have_full_service():
    goal = ServiceGoal()
    c = np.array([0.0, 10.0, 0.0])
    h = np.array([np.nan, 200.0, 0.0])
    n = agents_required(c, h, 900.0, goal)
    assert n[0] == 0 and n[2] == 0 and n[1] > 0
    sl = projected_service_level(c, h, 900.0, np.array([0.0, 0.0, 0.0]), goal)
    assert sl[0] == 1.0 and sl[2] == 1.0 and sl[1] == 0.0


def test_stable_and_monotone_up_to_5000_erlangs():
    load = np.array([0.1, 1.0, 50.0, 500.0, 2000.0, 5000.0])
    aht = np.full(load.shape, 300.0)
    goal = ServiceGoal(service_level=0.8, target_s=20.0)
    n = agents_required(load * 900.0 / 300.0, aht, 900.0, goal)
    assert np.all(n > load)
    assert np.all(n - load < 4 * np.sqrt(load) + 5)     # square-root staffing scale
    for a in (500.0, 5000.0):
        ks = np.arange(int(a) + 1, int(a) + 200, dtype=float)
        pw = erlang_c.erlang_c(ks, np.full(ks.shape, a))
        assert np.isfinite(pw).all() and np.all(np.diff(pw) < 0)


def test_erlang_b_log_space_matches_the_recursion():
    for a in (0.1, 3.7, 57.1111, 1234.5, 5000.0):
        b = 1.0
        ks = np.arange(0, int(a) + 300)
        ref = np.empty(ks.size)
        for k in ks:
            b = 1.0 if k == 0 else a * b / (k + a * b)
            ref[k] = b
        got = erlang_c.erlang_b(ks.astype(float), np.full(ks.size, a))
        np.testing.assert_allclose(got, ref, rtol=1e-9, atol=1e-300)


def test_projected_service_level_interpolates_fractional_agents():
    goal = ServiceGoal(service_level=0.8, target_s=20.0)
    c, h = np.array([400.0]), np.array([257.0])
    lo = projected_service_level(c, h, 1800.0, np.array([60.0]), goal)[0]
    hi = projected_service_level(c, h, 1800.0, np.array([61.0]), goal)[0]
    mid = projected_service_level(c, h, 1800.0, np.array([60.25]), goal)[0]
    assert mid == pytest.approx(lo + 0.25 * (hi - lo))
    # unstable (agents <= load = 57.1)
    assert projected_service_level(c, h, 1800.0, np.array([57.0]), goal)[0] == 0.0


def test_scheduled_agents_applies_shrinkage_and_floor():
    got = scheduled_agents(np.array([0, 7, 10, 13]), 0.3, min_agents=2)
    assert got.tolist() == [2, 10, 15, 19]
    assert scheduled_agents(np.array([7]), 0.0).tolist() == [7]
    with pytest.raises(InputError):
        scheduled_agents(np.array([1]), 1.0)


def test_bad_inputs_are_input_errors():
    goal = ServiceGoal()
    with pytest.raises(InputError):
        agents_required(np.array([-1.0]), np.array([100.0]), 900.0, goal)
    with pytest.raises(InputError):
        agents_required(np.array([5.0]), np.array([0.0]), 900.0, goal)


def _queue(qid: str, **goal) -> Queue:
    return Queue(id=qid, name=qid, channel="voice", service_goal=ServiceGoal(**goal), shrinkage=0.3, min_agents=2)


def test_requirements_frame_keeps_order_and_columns():
    start = pd.date_range("2026-01-05 08:00", periods=3, freq="30min", tz="Europe/London")
    fc = pd.DataFrame({
        "queue": ["b", "a", "b", "a", "a", "b"],
        "start": list(start) * 2,
        "contacts": [100.0, 0.0, 400.0, 50.0, 1000.0, 3.0],
        "aht_s": [180.0, 200.0, 257.0, 200.0, 300.0, 240.0],
        "model": "x",
    })
    queues = [_queue("a", service_level=0.8, target_s=20.0), _queue("b", service_level=0.8, target_s=19.8,
                                                                    max_occupancy=0.85)]
    out = requirements_frame(fc, queues, 30)
    assert list(out.columns) == ["queue", "start", "contacts", "aht_s", "agents_net", "agents"]
    assert out["queue"].tolist() == fc["queue"].tolist()
    assert out["start"].tolist() == fc["start"].tolist()
    assert out.loc[0, "agents_net"] == 14
    assert out.loc[1, "agents_net"] == 0 and out.loc[1, "agents"] == 2
    assert (out["agents"] >= np.ceil(out["agents_net"] / 0.7 - 1e-9)).all()
    with pytest.raises(InputError):
        requirements_frame(fc.assign(queue="zzz"), queues, 30)
