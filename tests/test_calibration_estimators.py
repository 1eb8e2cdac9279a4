"""The estimators recover known truths: a simulated centre (tests/call_world.py), brute force and hand counts."""
from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from scheduler.calibration import availability
from scheduler.calibration.calibrate import CalibrationSettings, calibrate_calls, calibrate_history
from scheduler.calibration.handle_fit import fit_handle_times
from scheduler.calibration.presence import on_duty, service_spans, sessions
from tests.call_world import call_records

TRUE = {"aht_s": 180.0, "patience_s": 300.0, "pause_s": 30.0}
SETTINGS = CalibrationSettings(60, 20.0, dt.date(2024, 3, 11), floor_replications=12, bootstrap=60)


def near(lo: float, hi: float, truth: float) -> bool:
    """truth within three standard errors of the estimate whose 95% interval is [lo, hi]."""
    return abs(truth - (lo + hi) / 2) <= 3 * (hi - lo) / (2 * 1.96)


@pytest.fixture(scope="module")
def world():
    calls = call_records(days=12, calls_per_hour=[40, 80, 110, 120, 100, 90, 100, 110, 80, 50], agents=8,
                         seed=1, **TRUE)
    return calls, calibrate_calls(calls, "UTC", SETTINGS)


def test_calibration_recovers_the_true_patience_handle_time_and_pause(world):
    _, result = world
    c = result.queues["voice"]
    assert near(c.patience.lower_s, c.patience.upper_s, TRUE["patience_s"])
    assert near(c.handle.mean_lower_s, c.handle.mean_upper_s, TRUE["aht_s"])
    assert near(c.handle.cv_lower, c.handle.cv_upper, 1.0) and c.handle.closer_to == "exponential"
    assert c.after_call_method == "measured"
    assert near(c.after_call.lower, c.after_call.upper, TRUE["pause_s"])
    assert c.availability.value == pytest.approx(c.handle.mean_s / (c.handle.mean_s + c.after_call.value))
    # callers wait while some agent on duty is idle (pausing): the plain Erlang picture would say 100%
    assert 0.1 < c.all_busy_share_of_waiting < 0.6


def test_pauses_cut_short_by_an_empty_queue_are_censored_not_dropped(world):
    calls, _ = world
    fit = calls[calls["arrival"].dt.date < SETTINGS.fit_until]
    sample = availability.pause_sample(sessions(service_spans(fit), 900.0), fit, "voice", "UTC")
    assert (~sample.observed).sum() > 50
    # keeping only the pauses that ended while callers still waited favours short pauses
    naive = sample.duration_s[sample.observed].mean()
    km = availability.restricted_mean(sample.duration_s, sample.observed, 900.0)
    assert naive < 0.8 * TRUE["pause_s"] and abs(km - TRUE["pause_s"]) < 0.2 * TRUE["pause_s"]


def test_back_test_is_near_the_noise_floor_and_beats_the_uncalibrated_model(world):
    _, result = world
    e = result.errors[(result.errors["queue"] == "all") & (result.errors["sample"] == "test")]
    mae = e.pivot(index="model", columns="measure", values="mae")
    floor = e[e["model"] == "calibrated"].set_index("measure")["floor_mae"]
    assert mae.loc["calibrated", "sl"] < mae.loc["erlang_a_uncalibrated", "sl"]
    assert mae.loc["calibrated", "abandon"] < mae.loc["erlang_c", "abandon"]
    for m in ("sl", "abandon"):
        assert mae.loc["calibrated", m] <= 1.3 * floor[m]
    assert list(result.backtest.columns) == ["queue", "start", "sample", "offered", "agents_on_duty", "actual_sl",
                                             "predicted_sl", "actual_abandon", "predicted_abandon", "actual_asa_s",
                                             "predicted_asa_s"]
    assert set(result.backtest["sample"]) == {"fit", "test"}
    assert (result.backtest["offered"] >= SETTINGS.min_offered).all()


def test_interval_records_give_the_same_patience_and_a_fitted_pause(world):
    _, from_calls = world
    from_intervals = calibrate_history(from_calls.history, SETTINGS)
    a, b = from_calls.queues["voice"], from_intervals.queues["voice"]
    assert b.patience.mean_s == pytest.approx(a.patience.mean_s)
    assert b.handle.mean_s == pytest.approx(a.handle.mean_s)
    assert b.after_call_method == "fitted" and b.handle.closer_to == "unknown"
    assert b.after_call.value == pytest.approx(a.after_call_fitted_check.value)


def test_kaplan_meier_restricted_mean_by_hand():
    d = np.array([1.0, 2.0, 3.0, 4.0])
    assert availability.restricted_mean(d, np.ones(4, dtype=bool), 10.0) == pytest.approx(2.5)
    assert availability.restricted_mean(d, np.ones(4, dtype=bool), 2.5) == pytest.approx((1 + 2 + 2.5 + 2.5) / 4)
    # censored at 2: S = 1 to 1, 0.75 to 3, 0.375 to 4, then 0
    observed = np.array([True, False, True, True])
    assert availability.restricted_mean(d, observed, 10.0) == pytest.approx(1 + 0.75 * 2 + 0.375 * 1)


def test_agents_on_duty_equals_a_second_by_second_count():
    rng = np.random.default_rng(3)
    starts = rng.uniform(0, 20_000, 40).round()
    spans = pd.DataFrame({"queue": "q", "agent_id": [f"a{i}" for i in range(40)], "start_s": starts,
                          "end_s": starts + rng.uniform(10, 5000, 40).round()})
    grid = np.zeros(26_000)
    for a, b in zip(spans["start_s"].astype(int), spans["end_s"].astype(int)):
        grid[a:b] += 1
    interval_starts = np.arange(0, 25_000, 900.0)
    brute = np.array([grid[int(s):int(s) + 900].mean() for s in interval_starts])
    np.testing.assert_allclose(on_duty(spans, "q", interval_starts, 900.0), brute, atol=1e-9)


def test_sessions_break_at_idle_gaps_longer_than_the_gap():
    spans = pd.DataFrame({"queue": "q", "agent_id": "a", "start_s": [0.0, 200.0, 1500.0, 1600.0],
                          "end_s": [100.0, 300.0, 1550.0, 1700.0]})
    s = sessions(spans, 900.0)
    assert s.spans[["start_s", "end_s"]].values.tolist() == [[0.0, 300.0], [1500.0, 1700.0]]
    assert s.calls["session"].tolist() == [0, 0, 1, 1]


def test_all_busy_share_by_hand():
    t0 = pd.Timestamp("2024-03-04 09:00", tz="UTC")
    calls = pd.DataFrame({
        "queue": "q", "arrival": [t0, t0 + pd.Timedelta(seconds=50), t0 + pd.Timedelta(seconds=160)],
        "wait_s": [0.0, 50.0, 20.0], "outcome": "answered", "handle_s": [100.0, 50.0, 30.0], "agent_id": "A"})
    # call 2 waits 50 s while A is on call 1; call 3 waits 20 s while A (on duty) pauses
    duty = sessions(service_spans(calls), 900.0)
    assert availability.all_busy_share_of_waiting(duty, calls, "q") == pytest.approx(50 / 70)
    sample = availability.pause_sample(duty, calls, "q", "UTC")
    assert sample.duration_s.tolist() == [0.0] and sample.observed.tolist() == [True]


def test_handle_time_shape_lognormal_or_exponential():
    rng = np.random.default_rng(5)
    sigma2 = np.log1p(1.5 ** 2)
    logn = fit_handle_times(rng.lognormal(np.log(200) - sigma2 / 2, np.sqrt(sigma2), 4000), seed=1)
    assert logn.closer_to == "lognormal" and near(logn.cv_lower, logn.cv_upper, 1.5)
    assert logn.ks_lognormal < logn.ks_exponential
    expo = fit_handle_times(rng.exponential(200, 4000), seed=1)
    assert expo.closer_to == "exponential" and near(expo.mean_lower_s, expo.mean_upper_s, 200)
