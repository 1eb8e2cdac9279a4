"""The site YAML takes calibrated figures with `auto`; staffing and the simulation use them."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pytest

from common.errors import InputError
from rules.loader import load_site
from rules.service_goal import ServiceGoal
from scheduler.calibration.calibrate import CalibrationSettings, calibrate_calls, calibrate_history
from scheduler.calibration.fragment import fragment_text
from scheduler.staffing import models
from scheduler.staffing.requirements import agents_required
from tests.call_world import call_records
from tests.site_factory import SMALL_SITE_YAML

GOAL = "service_goal: {service_level: 0.8, target_s: 20, max_occupancy: 0.9}"


@pytest.fixture(scope="module")
def fragments(tmp_path_factory):
    calls = call_records(days=4, calls_per_hour=[60, 90, 90, 60], agents=6, aht_s=180.0, patience_s=300.0,
                         pause_s=30.0, seed=2)
    settings = CalibrationSettings(60, 20.0, dt.date(2024, 3, 6), min_offered=20, floor_replications=4, bootstrap=20)
    folder = tmp_path_factory.mktemp("cal")
    per_call = calibrate_calls(calls, "UTC", settings)
    (folder / "calls.yaml").write_text(fragment_text(per_call))
    (folder / "intervals.yaml").write_text(fragment_text(calibrate_history(per_call.history, settings)))
    return folder, per_call


def site_with(tmp_path: Path, goal: str, top: str = "") -> Path:
    text = SMALL_SITE_YAML.replace(GOAL, goal)
    path = tmp_path / "site.yaml"
    path.write_text(top + text)
    return path


def test_auto_takes_the_calibrated_figures_and_remembers_which(tmp_path, fragments):
    folder, result = fragments
    goal = "service_goal: {service_level: 0.8, target_s: 20, patience_s: auto, after_call_s: auto, " \
           "handle_distribution: auto, handle_cv: auto}\n    calibration_queue: voice"
    site = load_site(site_with(tmp_path, goal, f"calibration: {folder / 'calls.yaml'}\n"))
    voice = site.queue("voice")
    c = result.queues["voice"]
    assert voice.service_goal.patience_s == pytest.approx(c.patience.mean_s, rel=1e-3)
    assert voice.service_goal.after_call_s == pytest.approx(c.after_call.value, rel=1e-3)
    assert voice.service_goal.handle_distribution == c.handle.closer_to
    assert voice.calibrated == ("patience_s", "after_call_s", "handle_distribution", "handle_cv")
    assert site.queue("chat").calibrated == ()
    assert site.calibration.details["voice"]["backtest"]["test"]["calibrated"]["sl"]["mae"] >= 0


@pytest.mark.parametrize("goal, top, message", [
    ("service_goal: {service_level: 0.8, target_s: 20, patience_s: auto}", "",
     "queues[0].service_goal.patience_s: 'auto' needs a calibration, and the site YAML names none"),
    ("service_goal: {service_level: auto, target_s: 20}", "CAL",
     "queues[0].service_goal.service_level: cannot be 'auto'"),
    ("service_goal: {service_level: 0.8, target_s: 20, patience_s: auto}\n    calibration_queue: retail", "CAL",
     "has no queue 'retail' (it has voice)"),
    ("service_goal: {service_level: 0.8, target_s: 20, handle_cv: auto}", "INTERVALS",
     "queues[0].service_goal.handle_cv: the calibration of queue 'voice' has no handle_cv"),
    ("service_goal: {service_level: 0.8, target_s: 20, patience_s: 100}", "MISSING",
     "calibration: the calibration file"),
])
def test_bad_auto_is_named_by_key(tmp_path, fragments, goal, top, message):
    folder, _ = fragments
    top = {"": "", "CAL": f"calibration: {folder / 'calls.yaml'}\n",
           "INTERVALS": f"calibration: {folder / 'intervals.yaml'}\n",
           "MISSING": "calibration: nowhere/calibration.yaml\n"}[top]
    with pytest.raises(InputError) as info:
        load_site(site_with(tmp_path, goal, top))
    assert message in info.value.message and info.value.fix


def test_after_call_pause_is_staffed_as_handle_time():
    contacts, aht = np.array([40.0, 120.0, 300.0]), np.array([180.0, 180.0, 240.0])
    base = ServiceGoal(service_level=0.8, target_s=20.0, patience_s=300.0)
    paused = ServiceGoal(service_level=0.8, target_s=20.0, patience_s=300.0, after_call_s=30.0)
    with_pause = agents_required(contacts, aht, 1800.0, paused)
    np.testing.assert_array_equal(with_pause, agents_required(contacts, aht + 30.0, 1800.0, base))
    assert (with_pause >= agents_required(contacts, aht, 1800.0, base)).all()
    assert (with_pause > agents_required(contacts, aht, 1800.0, base)).any()
    m = models.metrics(contacts, aht, 1800.0, with_pause.astype(float), paused)
    np.testing.assert_allclose(m["offered_load"], contacts * (aht + 30.0) / 1800.0)


def test_handle_distribution_settings_are_checked(tmp_path, fragments):
    folder, _ = fragments
    with pytest.raises(InputError) as info:
        load_site(site_with(tmp_path, "service_goal: {service_level: 0.8, target_s: 20, "
                                              "handle_distribution: lognormal}"))
    assert "lognormal handle times need their spread" in info.value.message
    site = load_site(site_with(tmp_path, "service_goal: {service_level: 0.8, target_s: 20, "
                                                 "handle_distribution: lognormal, handle_cv: 1.3, after_call_s: 12}"))
    goal = site.queue("voice").service_goal
    assert (goal.handle_distribution, goal.handle_cv, goal.after_call_s) == ("lognormal", 1.3, 12.0)


def test_the_simulated_service_level_uses_the_goals_handle_distribution_and_pause():
    import pandas as pd

    from rules.site import Queue
    from scheduler.staffing.roster_sim import simulated_service_level

    start = list(pd.date_range("2026-03-02 08:00", periods=8, freq="30min", tz="Europe/London"))
    frame = pd.DataFrame({"queue": "voice", "start": start, "contacts": 120.0, "aht_s": 240.0,
                          "agents_net_on_floor": 19.0})

    def sim(**goal) -> float:
        q = Queue(id="voice", name="v", channel="voice", service_goal=ServiceGoal(service_level=0.8, target_s=20.0,
                                                                                 **goal))
        return float(simulated_service_level(frame, [q], 30, replications=40, seed=1)["sim_service_level"].mean())

    expo = sim()
    steady = sim(handle_distribution="lognormal", handle_cv=0.3)
    assert steady > expo + 0.02                       # less variable handle times: shorter queues
    assert sim(after_call_s=30.0) < expo - 0.05       # agents taken 30 s longer per call


def test_the_plan_report_says_what_was_calibrated_and_how_well_it_predicted(tmp_path, fragments):
    from run_schedule import main
    from tests.site_factory import write_small_site

    folder, result = fragments
    goal = "service_goal: {service_level: 0.8, target_s: 20, patience_s: auto, after_call_s: auto}"
    site_yaml = f"calibration: {folder / 'calls.yaml'}\n" + SMALL_SITE_YAML.replace(GOAL, goal)
    files = write_small_site(tmp_path / "site", site_yaml=site_yaml)
    out = tmp_path / "out"
    assert main(["plan", "--site", str(files.site), "--out", str(out), "--time-limit", "5"]) == 0
    html = (out / "report.html").read_text()
    section = html[html.index('<section id="calibration">'):]
    section = section[:section.index("</section>")]
    c = result.queues["voice"]
    assert "mean caller patience" in section and f"{c.patience.mean_s:.4g} s" in section
    assert "pause after a call before the next" in section
    assert "noise floor" in section and "erlang_a_uncalibrated" in section
    test_mae = 100 * result.errors.query("queue == 'voice' and sample == 'test' and model == 'calibrated' "
                                         "and measure == 'sl'")["mae"].iloc[0]
    assert f"{test_mae:.1f}" in section
