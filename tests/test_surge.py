"""The surge planner on a small site: random surges and lulls re-planned, every revised roster checked
independently (nothing before now + notice changed, every labour rule holds, each change priced as the
model priced it), and a supervisor's mistakes refused with exit 2 and nothing written."""
from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

import pandas as pd
import pytest

from bench.surge_replay import replay_actuals
from common.errors import InputError
from pipeline.surge import load_forecast, load_surge_inputs, parse_now, run_surge
from rules.base import FixedPlan, RosterShift, Shift
from rules.loader import load_site
from run_schedule import main
from scheduler.intraday.changes import shift_changes
from scheduler.intraday.inputs import load_roster
from scheduler.intraday.replan import replan_day
from scheduler.intraday.policy import parse_policy
from tests.site_factory import BREAKS_SITE_YAML, write_small_site

WEEK = dt.date(2026, 3, 2)      # the small site's planned week (after four weeks of history)
PRICED = ("extend_shift", "call_in", "voluntary_time_off", "move_break", "move_skill")


@pytest.fixture(scope="module")
def planned(tmp_path_factory):
    """The small site with breaks and training, planned once for the module."""
    folder = tmp_path_factory.mktemp("surge")
    site = write_small_site(folder / "site", site_yaml=BREAKS_SITE_YAML)
    out = folder / "plan"
    assert main(["plan", "--site", str(site.site), "--out", str(out), "--time-limit", "3"]) == 0
    return site, out


def _replay(site, plan: Path, folder: Path, queue: str, factor: float, since: str, now: str, seed: int = 1):
    loaded = load_site(site.site)
    forecast = load_forecast(plan / "forecast.csv", loaded)
    date = WEEK
    moment = parse_now(f"{date}T{now}", loaded.timezone)
    start = parse_now(f"{date}T{since}", loaded.timezone)
    actuals = replay_actuals(forecast, date, moment, loaded.interval_min, {queue: (start, factor)}, seed)
    folder.mkdir(parents=True, exist_ok=True)
    actuals.to_csv(folder / "actuals.csv", index=False)
    return folder / "actuals.csv", f"{date}T{now}"


def test_random_surges_and_lulls_keep_every_rule_and_the_frozen_past(planned, tmp_path):
    site, plan = planned
    rng = random.Random(5)
    for case in range(5):
        queue = rng.choice(["voice", "chat"])
        factor = rng.choice([0.5, 0.7, 1.4, 1.8, 2.5])
        now = rng.choice(["11:00", "12:00", "13:00"])
        actuals, now_text = _replay(site, plan, tmp_path / f"case{case}", queue, factor, "09:00", now, seed=case)
        inputs = load_surge_inputs(site.site, plan / "roster.csv", actuals, now_text, plan / "forecast.csv")
        outcome = run_surge(inputs, time_limit_s=1.0, with_scratch=True)
        label = f"case {case}: {queue} x{factor} at {now}"
        for name, replan in outcome.replans.items():
            assert replan.violations == [], f"{label}, {name}: {replan.violations[:3]}"
            assert replan.result.shifts, label
        assert outcome.replans["hold"].changed_agents == 0, label
        plan_replan = outcome.replans["plan"]
        # The checker's charges for each change equal what the model's objective counted.
        stability = next(r for r in plan_replan.rules if r.kind == "stay_close_to_reference")
        from rules.base import RosterView
        view = RosterView(plan_replan.site, {a.agent_id: a for a in inputs.agents}, tuple(inputs.time_off),
                          inputs.day.dates, tuple(plan_replan.result.shifts))
        charged = {}
        for penalty in stability.penalties(view):
            charged[penalty.rule] = charged.get(penalty.rule, 0.0) + penalty.amount
        counted = {k: v for k, v in plan_replan.result.breakdown.items()
                   if k in PRICED and k != "move_skill" and abs(v) > 1e-9}
        assert charged.keys() == counted.keys(), label
        for kind, amount in counted.items():
            assert charged[kind] == pytest.approx(amount, abs=0.01 * max(1, len(inputs.agents))), f"{label}: {kind}"
        # Nothing that started before now + notice changed, judged from the two rosters alone.
        fixed = FixedPlan(tuple(inputs.roster), frozenset({WEEK}), inputs.day.until)
        before = {(r.agent_id, r.shift.date): r for r in inputs.roster}
        for revised in plan_replan.result.shifts:
            ref = before.get((revised.agent_id, revised.shift.date))
            if revised.shift.date != WEEK:
                assert ref == revised or (ref and ref.shift == revised.shift and set(ref.activities) == set(revised.activities))
            elif ref is not None and ref.shift.start < fixed.until:
                assert revised.shift.start == ref.shift.start
                assert {a for a in ref.activities if a.start < fixed.until} == \
                       {a for a in revised.activities if a.start < fixed.until}


def test_a_surge_is_answered_and_a_lull_offers_time_off(planned, tmp_path):
    site, plan = planned
    actuals, now = _replay(site, plan, tmp_path / "surge", "voice", 2.5, "09:00", "11:00")
    surge = run_surge(load_surge_inputs(site.site, plan / "roster.csv", actuals, now), 2.0, with_scratch=False)
    assert {s.queue: s.kind for s in surge.signals}["voice"] == "surge"
    short = {name: ((e["agents"] - e["scheduled"]).clip(lower=0)).sum() for name, e in surge.evaluations.items()}
    assert short["plan"] < short["hold"]
    assert "voluntary_time_off" not in set(surge.changes["change"])

    # A lull where voice needs nobody for the rest of the day: voice-only agents are offered time off,
    # the others are not, and the day costs less.
    inputs = load_surge_inputs(site.site, plan / "roster.csv", actuals, now)
    rest = surge.requirements.copy()
    rest.loc[rest["queue"] == "voice", "agents"] = 0
    replans = replan_day(inputs.site, inputs.agents, inputs.time_off, inputs.roster, rest, rest, inputs.day,
                         inputs.policy, 2.0, with_scratch=False, lull_queues=frozenset({"voice"}))
    plan_replan = replans["plan"]
    assert plan_replan.violations == []
    rows = shift_changes(inputs.roster, plan_replan.result.shifts, {a.agent_id: a for a in inputs.agents},
                         inputs.site, WEEK, inputs.day.until, inputs.policy)
    sent_home = {r["agent_id"] for r in rows if r["change"] == "voluntary_time_off"}
    voice_only = {a.agent_id for a in inputs.agents if set(a.skills) == {"voice"}}
    assert sent_home and sent_home <= voice_only
    assert sum(r["cost"] for r in rows) < 0


def test_surge_command_writes_a_roster_that_can_be_planned_on_again(planned, tmp_path):
    site, plan = planned
    actuals, now = _replay(site, plan, tmp_path / "in", "voice", 1.8, "09:00", "12:00")
    out = tmp_path / "out"
    code = main(["surge", "--site", str(site.site), "--roster", str(plan / "roster.csv"), "--actuals", str(actuals),
                 "--now", now, "--out", str(out), "--time-limit", "1"])
    assert code == 0
    for name in ("changes.csv", "roster_revised.csv", "requirements_revised.csv", "surge.html"):
        assert (out / name).is_file(), name
    assert list(pd.read_csv(out / "roster_revised.csv").columns) == list(pd.read_csv(plan / "roster.csv").columns)
    loaded = load_site(site.site)
    from rules.agents_file import load_agents
    again = load_roster(out / "roster_revised.csv", loaded, load_agents(site.agents, loaded))
    assert {r.shift.date for r in again} <= {WEEK + dt.timedelta(days=i) for i in range(7)}
    # and a second surge later the same day starts from the revised roster
    actuals2, now2 = _replay(site, plan, tmp_path / "in2", "voice", 1.8, "09:00", "14:00")
    assert main(["surge", "--site", str(site.site), "--roster", str(out / "roster_revised.csv"), "--forecast",
                 str(plan / "forecast.csv"), "--actuals", str(actuals2), "--now", now2, "--out", str(tmp_path / "out2"),
                 "--time-limit", "1"]) == 0


def _bad_cases(site, plan: Path, tmp: Path) -> dict[str, tuple[list[str], list[str]]]:
    good, now = _replay(site, plan, tmp / "good", "voice", 1.5, "09:00", "11:00")
    text = good.read_text()
    lines = text.splitlines()

    def write(name: str, content: str) -> str:
        path = tmp / name
        path.write_text(content)
        return str(path)

    roster = (plan / "roster.csv").read_text().splitlines()
    bad_agent = "\n".join([roster[0], roster[1].replace(roster[1].split(",")[0], "Z99", 1)] + roster[2:]) + "\n"
    bad_shift = "\n".join([roster[0], roster[1].replace(",D8,", ",NIGHT12,").replace(",P4,", ",NIGHT12,")] + roster[2:]) + "\n"
    policy_yaml = site.site.read_text() + "intraday:\n  teleport: {cost: 1}\n"
    base = ["--roster", str(plan / "roster.csv"), "--actuals", str(good), "--now", now]
    return {
        "unknown queue": (["--roster", str(plan / "roster.csv"), "--now", now, "--actuals",
                           write("q.csv", text.replace("chat,", "sms,", 1))], ["actuals.csv" if False else "q.csv", "queue 'sms'"]),
        "actuals after now": (["--roster", str(plan / "roster.csv"), "--actuals", str(good),
                               "--now", f"{WEEK}T10:30"], ["ends after --now"]),
        "now outside the roster": (["--roster", str(plan / "roster.csv"), "--actuals", str(good),
                                    "--now", "2026-04-01T10:00"], ["--now", "outside the roster's dates"]),
        "duplicate actuals": (["--roster", str(plan / "roster.csv"), "--now", now, "--actuals",
                               write("d.csv", text + lines[1] + "\n")], ["d.csv", "two rows for the interval"]),
        "negative actuals": (["--roster", str(plan / "roster.csv"), "--now", now, "--actuals",
                              write("n.csv", "\n".join([lines[0], ",".join(lines[1].split(",")[:2] + ["-3"] +
                                                                             lines[1].split(",")[3:])] + lines[2:]) + "\n")],
                             ["n.csv", "negative"]),
        "roster agent unknown": (["--actuals", str(good), "--now", now, "--roster", write("r1.csv", bad_agent)],
                                 ["r1.csv", "agent 'Z99' is not in the agents file"]),
        "roster shift unknown": (["--actuals", str(good), "--now", now, "--roster", write("r2.csv", bad_shift),
                                  "--forecast", str(plan / "forecast.csv")], ["r2.csv", "shift 'NIGHT12'"]),
        "unknown change kind": (base + ["--site", write("site.yaml", policy_yaml)], ["intraday.teleport", "unknown change kind"]),
        "now not a time": (["--roster", str(plan / "roster.csv"), "--actuals", str(good), "--now", "half ten"],
                           ["--now", "not a time"]),
    }


def test_bad_surge_input_is_named_exit_2_nothing_written(planned, tmp_path, capsys):
    site, plan = planned
    for label, (args, expected) in _bad_cases(site, plan, tmp_path).items():
        out = tmp_path / f"out-{label.replace(' ', '-')}"
        argv = ["surge"] + (["--site", str(site.site)] if "--site" not in args else []) + args + ["--out", str(out)]
        if "--site" in args:   # a site YAML written beside the original: its data files are relative to it
            for name in ("agents.csv", "time_off.csv", "history.csv"):
                target = Path(args[args.index("--site") + 1]).parent / name
                if not target.exists():
                    target.write_text((site.folder / name).read_text())
        code = main(argv)
        err = capsys.readouterr().err
        assert code == 2, f"{label}: exit {code}, {err}"
        assert "Traceback" not in err, label
        for fragment in expected:
            assert fragment in err, f"{label}: {fragment!r} not in {err!r}"
        assert not out.exists(), f"{label}: wrote {out}"


def test_policy_refuses_unknown_settings_and_reads_defaults():
    assert parse_policy(None).call_in.min_hours == 3.0
    policy = parse_policy({"extend_shift": {"max_overtime_min": 60}, "voluntary_time_off": {"enabled": False}})
    assert policy.extend_shift.max_overtime_min == 60 and not policy.voluntary_time_off.enabled
    with pytest.raises(InputError, match="extend_shift.premium"):
        parse_policy({"extend_shift": {"premium": 2}})
    with pytest.raises(InputError, match="not a number"):
        parse_policy({"call_in": {"cost": -5}})


def test_fixed_plan_freezes_what_started_before_the_cut():
    tz = dt.timezone.utc
    at = lambda h, m=0: dt.datetime(2026, 3, 2, h, m, tzinfo=tz)   # noqa: E731
    published = RosterShift("A", Shift("D8", WEEK, at(9), at(17)))
    fixed = FixedPlan((published,), frozenset({WEEK}), at(11))
    assert fixed.started("A", WEEK)
    assert fixed.allows("A", Shift("D8+60", WEEK, at(9), at(18)))          # extend a shift under way
    assert not fixed.allows("A", Shift("D8", WEEK, at(10), at(18)))        # but not move its start
    assert not fixed.allows("A", Shift("D8-360", WEEK, at(9), at(10, 30)))  # nor end it in the past
    assert fixed.allows("B", Shift("CALL240", WEEK, at(12), at(16)))       # a call-in after the cut
    assert not fixed.allows("B", Shift("CALL240", WEEK, at(10), at(14)))   # not one before it


def test_surge_page_renders_in_chromium(planned, tmp_path):
    """The supervisor's page as a browser shows it: no console errors, every service chart drawn."""
    from tests.browser import CHART_CHECK, Browser, chromium_path
    if chromium_path() is None:
        pytest.skip("no Chromium: run `make browser` (apt-get install -y chromium)")
    site, plan = planned
    actuals, now = _replay(site, plan, tmp_path / "in", "voice", 1.8, "09:00", "12:00")
    out = tmp_path / "out"
    assert main(["surge", "--site", str(site.site), "--roster", str(plan / "roster.csv"), "--actuals", str(actuals),
                 "--now", now, "--out", str(out), "--time-limit", "1", "--compare-scratch"]) == 0
    with Browser(1024, 800) as browser:
        browser.open(out / "surge.html")
        assert browser.console_errors() == []
        info = browser.evaluate(CHART_CHECK)
        assert info["charts"] == 2 * 2 and info["empty"] == 0      # projected and simulated, per queue
        assert info["width"] <= info["viewport"], "the page scrolls sideways at 1024 px"
        text = browser.evaluate("document.body.innerText")
        assert "voice: " in text and "re-solved from scratch" in text and "Changes (" in text
        assert "Data quality" in text
        shot = browser.screenshot(tmp_path / "surge.png", full_page=True)
    assert shot.stat().st_size > 20_000


def test_a_roster_whose_training_was_deferred_can_be_replanned(planned, tmp_path):
    """A roster an earlier surge revised may have deferred a training session out of the week. Held as
    published ("no action" and "hold" are not priced), the activity rule still asked for the session, and
    the re-plan stopped: "the given start roster breaks the model's hard rules"."""
    site, plan = planned
    roster = pd.read_csv(plan / "roster.csv", dtype=str, keep_default_na=False)
    trained = roster["activities"].str.contains("team training")
    assert trained.any()
    roster.loc[trained, "activities"] = roster.loc[trained, "activities"].map(
        lambda text: "; ".join(part for part in text.split("; ") if not part.startswith("team training")))
    roster.to_csv(tmp_path / "deferred.csv", index=False)
    (tmp_path / "forecast.csv").write_bytes((plan / "forecast.csv").read_bytes())    # read beside the roster
    actuals, now = _replay(site, plan, tmp_path / "in", "voice", 1.8, "09:00", "14:00")
    outcome = run_surge(load_surge_inputs(site.site, tmp_path / "deferred.csv", actuals, now), 1.0, with_scratch=True)
    for name, replan in outcome.replans.items():
        assert replan.result.shifts, name
        assert replan.violations == [], f"{name}: {replan.violations[:3]}"
