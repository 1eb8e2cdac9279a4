"""Chat slot model, email backlog with deadlines, and staffing under forecast uncertainty."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from rules.service_goal import ServiceGoal
from rules.site import Queue
from scheduler.staffing import backlog, chat, erlang_a, erlang_c, uncertainty
from scheduler.staffing.requirements import agents_required, projected_service_level, requirements_frame


# --- chat -------------------------------------------------------------------------------------------

def _explicit_chain(n, c, lam, aht_full, s):
    """The balanced-routing chain built state by state, the slow obvious way."""
    aht1 = aht_full / (1 + s * (c - 1))
    probs = [1.0]
    for i in range(1, n * c + 1):
        loads = [i // n + (1 if a < i % n else 0) for a in range(n)]
        rate = sum(k / (aht1 * (1 + s * (k - 1))) for k in loads if k > 0)
        probs.append(probs[-1] * lam / rate)
    probs = np.array(probs)
    return probs[-1] / probs.sum()


@pytest.mark.parametrize("n,c,s", [(3, 2, 0.3), (5, 3, 0.25), (8, 4, 0.0), (2, 1, 0.0)])
def test_chat_chain_matches_the_state_by_state_chain(n, c, s):
    lam, aht = 0.01, 400.0
    log_b, rate_full, _ = chat.slot_chain(np.array([n]), np.array([lam]), np.array([aht]), c, s)
    assert np.exp(log_b[0]) == pytest.approx(_explicit_chain(n, c, lam, aht, s), rel=1e-10)
    assert rate_full[0] == pytest.approx(n * c / aht)


def test_chat_without_slowdown_is_erlang_c_on_slots_and_erlang_a_with_patience():
    n, load, aht = np.array([5.0, 10.0, 40.0]), np.array([6.0, 15.0, 70.0]), np.full(3, 600.0)
    m = chat.metrics(n, load, aht, 2, 0.0, 60.0)
    e = erlang_c.metrics(2 * n, load, aht, 60.0)
    for key in ("prob_wait", "service_level", "asa_s", "occupancy"):
        np.testing.assert_allclose(m[key], e[key], rtol=1e-10)
    m = chat.metrics(n, load, aht, 2, 0.0, 60.0, patience_s=300.0)
    a = erlang_a.metrics(2 * n, load, aht, 300.0, 60.0)
    for key in ("prob_wait", "prob_abandon", "service_level"):
        np.testing.assert_allclose(m[key], a[key], rtol=1e-9)


def test_chat_needs_fewer_agents_than_voice_and_slowdown_matters():
    load, aht = np.array([5.0, 20.0, 60.0]), np.full(3, 600.0)
    goal = dict(service_level=0.8, target_s=60.0)
    voice = erlang_c.agents_required(load, aht, **goal)
    c0 = chat.agents_required(load, aht, 3, 0.0, **goal)
    c5 = chat.agents_required(load, aht, 3, 0.5, **goal)
    assert (c0 < voice).all()
    assert (c5 <= c0).all()     # aht_s is at full concurrency: lighter loads go faster
    m = chat.metrics(c5.astype(float), load, aht, 3, 0.5, 60.0)
    assert (m["service_level"] >= 0.8).all()
    m = chat.metrics(c5 - 1.0, load, aht, 3, 0.5, 60.0)
    assert (m["service_level"] < 0.8).all()


def test_chat_goal_through_requirements():
    goal = ServiceGoal(service_level=0.8, target_s=60.0, max_occupancy=0.85, concurrency=2,
                       concurrency_slowdown=0.2)
    n = agents_required(np.array([0.0, 30.0, 120.0]), np.array([np.nan, 500.0, 500.0]), 1800.0, goal)
    assert n[0] == 0 and 0 < n[1] < n[2]
    sl = projected_service_level(np.array([30.0, 120.0]), np.array([500.0, 500.0]), 1800.0, n[1:], goal)
    assert (sl >= 0.8).all()


# --- email backlog ----------------------------------------------------------------------------------

def test_backlog_plan_meets_the_deadline_and_is_levelled():
    rng = np.random.default_rng(2)
    contacts = rng.poisson(30, 40).astype(float)
    aht = np.full(40, 420.0)
    res = backlog.plan(contacts, aht, 1800.0, 4 * 3600.0, share=0.9)
    sim = backlog.simulate(contacts, aht, 1800.0, res.agents, 4 * 3600.0, share=0.9)
    judged = backlog.due_intervals(40, 1800.0, 4 * 3600.0) < 40
    assert (sim.on_time_share[judged] >= 0.9 - 1e-9).all() and sim.late_work_s < 1e-6
    # its peak is the least constant staffing meeting every due point: no plan has a lower peak
    least = next(k for k in range(1, 30)
                 if backlog.simulate(contacts, aht, 1800.0, np.full(40, float(k)), 4 * 3600.0,
                                     share=0.9).late_work_s < 1e-6)
    assert res.agents.max() == least
    # steady mail, steady staffing: worked from the first interval, flat once the first deadlines near
    assert res.agents[0] > 0 and np.ptp(res.agents[4:]) <= 1


def test_backlog_carries_work_over_quiet_intervals():
    contacts = np.array([100.0, 0, 0, 0, 0, 0, 0, 0])
    res = backlog.plan(contacts, np.full(8, 360.0), 3600.0, 4 * 3600.0)
    # 100 × 6 min = 10 agent-hours due by the end of the 4th hour: levelled from the first hour (2.5 → 3, 3,
    # then the 4 left over 2 hours)
    assert res.agents.tolist() == [3, 3, 2, 2, 0, 0, 0, 0]
    assert res.backlog_end[0] == pytest.approx(70.0)
    assert res.backlog_end[-1] == pytest.approx(0.0)


def test_calendar_clock_uses_wall_time_across_the_night():
    starts = np.array([pd.Timestamp("2026-03-02 16:00", tz="UTC").timestamp() + 3600 * k for k in range(2)]
                      + [pd.Timestamp("2026-03-03 08:00", tz="UTC").timestamp() + 3600 * k for k in range(2)])
    due_open = backlog.due_intervals(4, 3600.0, 2 * 3600.0)
    due_cal = backlog.due_intervals(4, 3600.0, 17 * 3600.0, starts, "calendar")
    assert due_open.tolist() == [1, 2, 3, 4]
    # 16:30 + 17 h = 09:30 next day: due by the end of the 08:00 interval; later ones fall past the horizon
    assert due_cal.tolist() == [2, 4, 4, 4]


def test_email_queue_through_requirements_frame():
    start = pd.date_range("2026-03-02 08:00", periods=20, freq="30min", tz="Europe/London")
    fc = pd.DataFrame({"queue": "email", "start": start[::-1], "contacts": 20.0, "aht_s": 300.0})
    goal = ServiceGoal(service_level=0.9, target_s=7200.0, deadline_s=7200.0, deadline_share=0.9,
                       deadline_final_s=14400.0)
    q = Queue(id="email", name="Email", channel="email", service_goal=goal, shrinkage=0.2, min_agents=0)
    out = requirements_frame(fc, [q], 30)
    assert out["start"].tolist() == fc["start"].tolist()          # input order kept
    ordered = out.sort_values("start")
    net = ordered["agents_net"].to_numpy()
    assert (net > 0).all() and net.max() <= 4                       # levelled: worked from the first interval
    sl = projected_service_level(ordered["contacts"].to_numpy(), ordered["aht_s"].to_numpy(), 1800.0, net, goal)
    assert (sl >= 0.9 - 1e-9).all()


# --- uncertainty ------------------------------------------------------------------------------------

def test_quantile_and_cdf_are_inverse_and_skew_is_kept():
    point, lo, hi = np.array([100.0]), np.array([90.0]), np.array([130.0])
    for q in (0.1, 0.5, 0.8, 0.9, 0.95):
        x = uncertainty.contacts_quantile(point, lo, hi, q)
        assert uncertainty.contacts_cdf(x, point, lo, hi)[0] == pytest.approx(q)
    assert uncertainty.contacts_quantile(point, lo, hi, 0.9)[0] == pytest.approx(130.0)
    assert uncertainty.contacts_quantile(point, lo, hi, 0.1)[0] == pytest.approx(90.0)


def test_staffing_at_a_level_meets_the_goal_with_that_probability():
    goal = ServiceGoal(service_level=0.8, target_s=20.0)
    point = np.array([100.0, 400.0, 1000.0])
    lo, hi = point * 0.85, point * 1.2
    aht = np.full(3, 240.0)
    at_point = agents_required(point, aht, 1800.0, goal)
    at_90 = uncertainty.agents_required_at_level(point, lo, hi, aht, 1800.0, goal, 0.9)
    assert (at_90 > at_point).all()
    p90 = uncertainty.probability_goal_met(point, lo, hi, aht, 1800.0, at_90, goal)
    p_point = uncertainty.probability_goal_met(point, lo, hi, aht, 1800.0, at_point, goal)
    assert (p90 >= 0.9).all() and (p_point >= 0.5).all() and (p_point < 0.9).all()
    fewer = uncertainty.probability_goal_met(point, lo, hi, aht, 1800.0, at_90 - 1, goal)
    assert (fewer < 0.9).all()


def test_requirements_frame_staffs_for_the_uncertainty_level():
    start = pd.date_range("2026-03-02 08:00", periods=3, freq="30min", tz="Europe/London")
    fc = pd.DataFrame({"queue": "v", "start": start, "contacts": [100.0, 200.0, 300.0],
                       "contacts_lo": [90.0, 180.0, 270.0], "contacts_hi": [120.0, 240.0, 360.0], "aht_s": 240.0})
    plain = Queue(id="v", name="v", channel="voice", service_goal=ServiceGoal(), shrinkage=0.0)
    sure = Queue(id="v", name="v", channel="voice", service_goal=ServiceGoal(uncertainty_level=0.9), shrinkage=0.0)
    a = requirements_frame(fc, [plain], 30)
    b = requirements_frame(fc, [sure], 30)
    assert (b["agents_net"] > a["agents_net"]).all()
    assert b["contacts"].tolist() == fc["contacts"].tolist()
