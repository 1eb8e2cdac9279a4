"""The simulation is the independent check of the formulas: stationary cases must agree within its CI."""
from __future__ import annotations

import numpy as np
import pytest

from rules.service_goal import ServiceGoal
from scheduler.staffing import erlang_a, models, patience, simulation

# (calls per 30 min, AHT s, agents, target s, patience s or None); fractional agents included
STATIONARY = [
    (100, 180, 14, 20, None),
    (100, 180, 14.5, 20, None),
    (100, 180, 14, 20, 300),
    (100, 180, 13.3, 20, 300),
    (50, 180, 5.6, 20, 400),
    (200, 240, 26, 15, 60),
]


def stationary_table(calls_simulated: int = 120_000, seed: int = 2, intervals: int = 4) -> list[dict]:
    """Formula vs simulation per interval on stationary cases (2 warm-up intervals, so every interval,
    the last included, should read the steady state the formula gives). Per case and measure: the formula,
    the simulated value of every interval, and the widest 95% half-width. Replications: about
    `calls_simulated` calls per interval in all."""
    rows = []
    for calls, aht, n, target, pat in STATIONARY:
        replications = calls_simulated // calls
        res = simulation.simulate(np.full(intervals, float(calls)), float(aht), 1800.0, agents=np.full(intervals, n),
                                  target_s=target, patience_s=pat, replications=replications, seed=seed,
                                  warmup_intervals=2)
        goal = ServiceGoal(service_level=0.8, target_s=target, patience_s=pat)
        c, h, a = np.array([float(calls)]), np.array([float(aht)]), np.array([float(n)])
        lo, hi = np.floor(a), np.ceil(a)
        m_lo, m_hi = models.metrics(c, h, 1800.0, lo, goal), models.metrics(c, h, 1800.0, hi, goal)
        row = {"case": f"{calls}/30min aht={aht} N={n:g} t={target}" + (f" patience={pat}" if pat else ""),
               "model": "erlang_a" if pat else "erlang_c"}
        pairs = (("service_level", "service_level"), ("asa_s", "asa_s"), ("prob_abandon", "abandon_rate"))
        for key, sim_key in pairs:
            if key == "prob_abandon" and not pat:
                continue
            # the formula's fractional agents: linear interpolation between floor and ceil
            f = float(m_lo[key][0] + (a - lo)[0] * (m_hi[key][0] - m_lo[key][0]))
            d = res.per_interval
            row[key] = (f, d[sim_key].to_numpy(), float((d[f"{sim_key}_hi"] - d[sim_key]).max()))
        rows.append(row)
    return rows


def test_formula_and_simulation_agree_within_2_points_in_every_interval():
    for row in stationary_table():
        for key in ("service_level", "prob_abandon"):
            if key not in row:
                continue
            formula, simulated, half = row[key]
            assert half < 0.0125, (row["case"], key, half)         # the check can see a 2-point miss
            assert np.abs(simulated - formula).max() < 0.02, (row["case"], key, formula, simulated)
        formula, simulated, half = row["asa_s"]
        assert np.abs(simulated - formula).max() < max(0.1 * formula, 1.0), (row["case"], formula, simulated)


def test_the_end_of_the_horizon_is_not_a_hang_up():
    # Erlang C callers never abandon; callers still queued when the day ends are answered by the
    # agents on the floor, so the last interval reads like the others (it used to read ~1 point worse).
    res = simulation.simulate(np.full(4, 100.0), 180.0, 1800.0, agents=np.full(4, 14), target_s=20.0,
                              replications=400, seed=5, warmup_intervals=1)
    d = res.per_interval
    assert (d["abandon_rate"] == 0.0).all()
    assert abs(d["service_level"].iloc[-1] - d["service_level"].iloc[:-1].mean()) < 0.01
    # with nobody on the floor at the end, those left waiting are the only callers counted as lost
    empty_end = simulation.simulate(np.array([100.0, 0.0]), 180.0, 1800.0, agents=np.array([3, 0]),
                                    replications=5, seed=5)
    assert empty_end.per_interval["abandon_rate"].iloc[0] > 0.3


def test_shares_are_pooled_over_replications_not_averaged_per_replication():
    # ~100 calls an hour at ~43% service level: the mean of per-run ratios reads about a point high
    res = simulation.simulate(np.full(3, 100.0), 180.0, 3600.0, agents=np.full(3, 5), target_s=20.0,
                              patience_s=400.0, replications=2000, seed=3, warmup_intervals=1)
    s, d = res.sums, res.per_interval
    np.testing.assert_allclose(d["service_level"], s["in_target"].sum(0) / s["offered"].sum(0))
    formula = erlang_a.metrics(np.array([5.0]), np.array([5.0]), np.array([180.0]), 400.0, 20.0)
    assert (d["service_level_lo"] <= formula["service_level"][0]).all()
    assert (formula["service_level"][0] <= d["service_level_hi"]).all()
    naive = np.mean(s["in_target"] / s["offered"], axis=0)
    assert (naive - formula["service_level"][0] > 0.005).all()


def test_fractional_agents_mix_floor_and_ceil_like_the_formula():
    # k + f agents: the extra agent is on the floor for a whole interval with probability f
    rng = np.random.default_rng(0)
    counts = simulation._whole_counts(np.full(20000, 3.25), rng)
    assert set(np.unique(counts)) == {3.0, 4.0}
    assert abs(counts.mean() - 3.25) < 0.01


def test_simulation_is_seeded_and_reports_per_interval_confidence():
    kw = dict(agents=np.array([5, 5, 8, 8, 6, 6]), target_s=20.0, patience_s=120.0, replications=5, seed=4)
    a = simulation.simulate(np.array([20.0, 40, 80, 60, 30, 10]), 240.0, 1800.0, **kw)
    b = simulation.simulate(np.array([20.0, 40, 80, 60, 30, 10]), 240.0, 1800.0, **kw)
    assert a.per_interval.equals(b.per_interval)
    df = a.per_interval
    assert {"service_level", "service_level_lo", "service_level_hi", "asa_s", "abandon_rate"} <= set(df.columns)
    assert (df["service_level_lo"] <= df["service_level"]).all() and (df["service_level"] <= df["service_level_hi"]).all()


def test_breaks_in_the_roster_lower_the_service_level():
    contacts = np.full(4, 200.0)
    full = [[(0.0, 7200.0)] for _ in range(30)]
    breaks = [[(0.0, 1800.0), (3600.0, 7200.0)] if k < 10 else [(0.0, 7200.0)] for k in range(30)]
    a = simulation.simulate(contacts, 240.0, 1800.0, windows=full, replications=4, seed=2)
    b = simulation.simulate(contacts, 240.0, 1800.0, windows=breaks, replications=4, seed=2)
    assert b.per_interval["service_level"][1] < a.per_interval["service_level"][1] - 0.2


def test_fractional_agents_are_partial_presence():
    w = simulation.windows_from_counts(np.array([1.5, 2.0, 0.0, 1.0]), 100.0)
    assert w == [[(0.0, 200.0), (300.0, 400.0)], [(0.0, 50.0), (100.0, 200.0)]]


def test_lognormal_handle_times_run_and_differ_from_exponential():
    kw = dict(agents=np.full(16, 60), target_s=20.0, replications=12, seed=3, measure=slice(2, 14))
    expo = simulation.simulate(np.full(16, 400.0), 240.0, 1800.0, **kw)
    logn = simulation.simulate(np.full(16, 400.0), 240.0, 1800.0, handle="lognormal", handle_cv=0.5, **kw)
    assert logn.overall["service_level"] > expo.overall["service_level"]   # less variable service: shorter queues


def test_patience_is_recovered_from_simulated_history():
    res = simulation.simulate(np.full(16, 300.0), 300.0, 1800.0, agents=np.full(16, 42), target_s=20.0,
                              patience_s=120.0, replications=1, seed=9)
    d = res.per_interval
    est = patience.estimate_patience(d["abandon_rate"] * d["offered"], d["offered"], d["asa_s"])
    assert est.lower_s <= 120.0 <= est.upper_s
    assert est.mean_patience_s == pytest.approx(120.0, rel=0.15)


def test_simulated_service_level_of_a_roster_per_queue_and_interval():
    import pandas as pd

    from rules.service_goal import ServiceGoal
    from rules.site import Queue
    from scheduler.staffing.requirements import projected_service_level
    from scheduler.staffing.roster_sim import simulated_service_level

    start = list(pd.date_range("2026-03-02 08:00", periods=8, freq="30min", tz="Europe/London"))
    start += list(pd.date_range("2026-03-03 08:00", periods=8, freq="30min", tz="Europe/London"))
    contacts = np.tile([60.0, 90, 120, 120, 100, 80, 60, 40], 2)
    goal = ServiceGoal(service_level=0.8, target_s=20.0, patience_s=180.0)
    frame = pd.DataFrame({"queue": "voice", "start": start, "contacts": contacts, "aht_s": 240.0,
                          "agents_net_on_floor": np.tile([10.0, 14, 18, 18, 15, 12.5, 10, 7], 2)})
    q = Queue(id="voice", name="v", channel="voice", service_goal=goal)
    sim = simulated_service_level(frame, [q], 30, replications=10, seed=1)
    assert sim["start"].tolist() == start
    proj = projected_service_level(contacts, np.full(16, 240.0), 1800.0, frame["agents_net_on_floor"], goal)
    # steady-state projection and simulation tell the same story; the simulation adds the carry-over
    # between intervals (an empty floor at opening does better than steady state)
    assert np.abs(sim["sim_service_level"].to_numpy() - proj).mean() < 0.08
    day = np.average(sim["sim_service_level"], weights=contacts) - np.average(proj, weights=contacts)
    assert abs(day) < 0.05
    assert (sim["sim_service_level_lo"] <= sim["sim_service_level"]).all()
