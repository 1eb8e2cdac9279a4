"""The simulation is the independent check of the formulas: stationary cases must agree within its CI."""
from __future__ import annotations

import numpy as np
import pytest

from scheduler.staffing import erlang_a, erlang_c, patience, simulation

# (calls per 30 min, AHT s, agents, target s, patience s or None)
STATIONARY = [
    (100, 180, 14, 20, None),
    (400, 257, 62, 20, None),
    (50, 300, 11, 30, None),
    (100, 180, 14, 20, 300),
    (400, 257, 58, 20, 60),
    (600, 240, 70, 15, 30),
]


def stationary_table(replications: int = 30, seed: int = 1, confidence: float = 0.99) -> list[dict]:
    """Formula vs simulation for the stationary cases (16 half-hours, the 1st hour and last hour not measured)."""
    rows = []
    for calls, aht, n, target, pat in STATIONARY:
        res = simulation.simulate(np.full(16, float(calls)), float(aht), 1800.0, agents=np.full(16, n),
                                  target_s=target, patience_s=pat, replications=replications, seed=seed,
                                  measure=slice(2, 14), confidence=confidence)
        load = np.array([calls * aht / 1800.0])
        if pat:
            m = erlang_a.metrics(np.array([float(n)]), load, np.array([float(aht)]), pat, target)
        else:
            m = erlang_c.metrics(np.array([float(n)]), load, np.array([float(aht)]), target)
        row = {"case": f"{calls}/30min aht={aht} N={n} t={target}" + (f" patience={pat}" if pat else ""),
               "model": "erlang_a" if pat else "erlang_c"}
        pairs = (("service_level", "service_level"), ("asa_s", "asa_s"), ("prob_abandon", "abandon_rate"))
        for key, sim_key in pairs:
            if key == "prob_abandon" and not pat:
                continue
            f = float(m[key][0])
            lo, hi = res.overall[f"{sim_key}_lo"], res.overall[f"{sim_key}_hi"]
            row[key] = (f, res.overall[sim_key], lo, hi, lo <= f <= hi)
        rows.append(row)
    return rows


def test_simulation_agrees_with_erlang_c_and_a_on_stationary_cases():
    rows = stationary_table()
    misses = [(r["case"], k, v) for r in rows for k, v in r.items() if isinstance(v, tuple) and not v[4]]
    assert not misses, misses


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
