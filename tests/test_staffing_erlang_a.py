"""Erlang A against an independent computation: the truncated birth–death chain and a tagged-caller CTMC."""
from __future__ import annotations

import numpy as np
import pytest
from scipy.linalg import expm

from scheduler.staffing import erlang_a, erlang_c
from scheduler.staffing.kummer import log_m


def _chain(lam, mu, theta, n, k_max=600):
    rates = np.array([min(k, n) * mu + max(k - n, 0) * theta for k in range(1, k_max)])
    logp = np.concatenate([[0.0], np.cumsum(np.log(lam) - np.log(rates))])
    p = np.exp(logp - logp.max())
    return p / p.sum()


def _tagged(n, mu, theta, j_max, t):
    """P(served within t) and P(abandoned within t) for a caller with j ahead, j = 0..j_max."""
    # states: 0..j_max = callers ahead; j_max+1 = served; j_max+2 = abandoned
    size = j_max + 3
    q = np.zeros((size, size))
    for i in range(j_max + 1):
        out_rate = n * mu + i * theta
        q[i, i - 1 if i > 0 else j_max + 1] += out_rate
        q[i, j_max + 2] += theta
        q[i, i] = -(out_rate + theta)
    p = expm(q * t)
    return p[: j_max + 1, j_max + 1], p[: j_max + 1, j_max + 2]


@pytest.mark.parametrize("calls,aht,n,pat,t", [(100, 180, 14, 300, 20), (300, 300, 45, 120, 20),
                                                (600, 240, 60, 30, 15), (20, 600, 3, 200, 60)])
def test_metrics_match_the_chain_and_the_tagged_caller(calls, aht, n, pat, t):
    lam, mu, theta = calls / 1800.0, 1.0 / aht, 1.0 / pat
    p = _chain(lam, mu, theta, n)
    p_wait = p[n:].sum()
    queue = np.maximum(np.arange(p.size) - n, 0)
    p_ab = theta * (queue * p).sum() / lam
    j_max = 250
    served_t, ab_t = _tagged(n, mu, theta, j_max, t)
    sl = p[:n].sum() + (p[n:n + j_max + 1] * served_t).sum()
    ab_short = (p[n:n + j_max + 1] * ab_t).sum()
    load = calls * aht / 1800.0
    m = erlang_a.metrics(np.array([n]), np.array([load]), np.array([aht]), pat, t)
    assert m["prob_wait"][0] == pytest.approx(p_wait, rel=1e-9)
    assert m["prob_abandon"][0] == pytest.approx(p_ab, rel=1e-8)
    assert m["asa_s"][0] == pytest.approx(p_ab * pat, rel=1e-8)
    assert m["service_level"][0] == pytest.approx(sl, abs=1e-9)
    short = erlang_a.metrics(np.array([n]), np.array([load]), np.array([aht]), pat, t,
                             "offered_minus_short_abandons", t)
    assert short["service_level"][0] == pytest.approx(sl / (1 - ab_short), abs=1e-9)
    answered = erlang_a.metrics(np.array([n]), np.array([load]), np.array([aht]), pat, t, "answered")
    assert answered["service_level"][0] == pytest.approx(sl / (1 - p_ab), abs=1e-9)


def test_long_patience_tends_to_erlang_c():
    n, load, aht = np.array([62.0]), np.array([57.111]), np.array([257.0])
    c = erlang_c.metrics(n, load, aht, 20.0)
    a = erlang_a.metrics(n, load, aht, 1e9, 20.0)
    assert a["prob_wait"][0] == pytest.approx(c["prob_wait"][0], rel=1e-5)
    assert a["service_level"][0] == pytest.approx(c["service_level"][0], rel=1e-5)


def test_kummer_function_extremes_are_finite_and_consistent():
    a = np.array([0.5, 14.0, 1000.0, 60000.0, 60000.0, 5.0, 3.0, 200.0])
    z = np.array([0.1, 13.3, 900.0, 59000.0, 61000.0, 500.0, 0.001, 5000.0])
    got = log_m(a, z)
    assert np.isfinite(got).all()
    # M(a, z) = 1 + z/(a+1) M(a+1, z)
    rhs = np.logaddexp(0.0, np.log(z / (a + 1)) + log_m(a + 1, z))
    np.testing.assert_allclose(got, rhs, rtol=1e-9)


def test_overloaded_and_huge_queues_stay_finite():
    n = np.array([1.0, 10.0, 3000.0, 5200.0, 4000.0])
    load = np.array([50.0, 200.0, 2500.0, 5000.0, 5000.0])
    m = erlang_a.metrics(n, load, np.full(5, 300.0), 90.0, 20.0)
    for key in ("prob_wait", "prob_abandon", "service_level", "asa_s", "occupancy"):
        assert np.isfinite(m[key]).all(), key
    assert (m["prob_abandon"] >= 0).all() and (m["prob_abandon"] <= 1).all()
    assert m["prob_abandon"][0] > 0.9            # one agent for 50 Erlangs: nearly everyone hangs up


def test_agents_required_meets_all_targets_and_is_least():
    rng = np.random.default_rng(11)
    load = rng.uniform(0.5, 800.0, 300)
    aht = rng.uniform(120.0, 600.0, 300)
    kw = dict(service_level=0.8, target_s=20.0, asa_s=15.0, max_abandon=0.03, max_occupancy=0.92)
    n = erlang_a.agents_required(load, aht, 90.0, **kw).astype(float)

    def meets(k):
        m = erlang_a.metrics(k, load, aht, 90.0, 20.0)
        return ((m["service_level"] >= 0.8 - 1e-12) & (m["asa_s"] <= 15.0 + 1e-12)
                & (m["prob_abandon"] <= 0.03 + 1e-12) & (m["occupancy"] <= 0.92 + 1e-12))

    assert meets(n).all()
    assert not meets(np.maximum(n - 1, 0)).any()
    # abandonment relieves the queue: never more agents than Erlang C for the same SL/ASA goal
    c = erlang_c.agents_required(load, aht, service_level=0.8, target_s=20.0, asa_s=15.0)
    only_sl = erlang_a.agents_required(load, aht, 90.0, service_level=0.8, target_s=20.0, asa_s=15.0)
    assert (only_sl <= c).all()
