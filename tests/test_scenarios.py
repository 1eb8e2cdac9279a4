"""Scenarios: the what-if file's checks, how a scenario changes the site, and a small parallel run."""
from __future__ import annotations

import pandas as pd
import pytest

from common.errors import InputError
from pipeline.inputs import load_inputs
from run_schedule import main
from scenarios.apply import apply_scenario, scale_forecast, with_headcount
from scenarios.spec import load_scenarios
from tests.site_factory import write_small_site


@pytest.fixture
def base(small_site):
    return load_inputs(small_site.site)


def _scenarios(tmp_path, text, base):
    path = tmp_path / "whatif.yaml"
    path.write_text(text)
    return load_scenarios(path, base)


@pytest.mark.parametrize("text, where, problem", [
    ("- {name: typo, volumes: {chat: 15}}", "scenarios[0] 'typo'.volumes", "unknown key (did you mean 'volume'?)"),
    ("- {name: down, volume: {chat: -150}}", "scenarios[0] 'down'.volume.chat", "-150% would leave a negative volume"),
    ("- {name: cut, agents: {PT: -4}}", "scenarios[0] 'cut'.agents.PT", "removes 4 agents but the site has only 3"),
    ("- {name: best, service_goal: {voice: {service_level: 1.05}}}", "scenarios[0] 'best'.service_goal.voice"
     ".service_level", "a goal of 105% is above 100%"),
    ("- {name: best, service_goal: {voice: '105/20'}}", "scenarios[0] 'best'.service_goal.voice",
     "a goal of 105% is above 100%"),
    ("- {name: q, volume: {fax: 10}}", "scenarios[0] 'q'.volume.fax", "unknown queue 'fax'"),
    ("- {name: r, rules: {min_days_off_per_week: {days: -1}}}", None, None),
    ("- {name: r, rules: {weekends_off: off}}", "scenarios[0] 'r'.rules.weekends_off", "no 'weekends_off' rule"),
    ("- {name: a}\n- {name: a}", "scenarios[1] 'a'.name", "is used twice"),
    ("- {name: h, solve_for: {headcount: XX}}", "scenarios[0] 'h'.solve_for.headcount", "unknown contract 'XX'"),
    ("- {name: o, opening_hours: {sat: ['18:00', '09:00']}}", "scenarios[0] 'o'.opening_hours.sat",
     "closing time is not after opening time"),
])
def test_bad_scenarios_name_scenario_and_key(tmp_path, base, text, where, problem):
    with pytest.raises(InputError) as caught:
        scenarios = _scenarios(tmp_path, "scenarios:\n" + "\n".join("  " + line for line in text.splitlines()), base)
        for scenario in scenarios:   # rule settings are the rule's own to check, when the site is derived
            apply_scenario(base, scenario)
    if where is None:   # the rule's own check names the scenario too
        assert "scenarios[0] 'r'.rules.min_days_off_per_week" in caught.value.message
    else:
        assert caught.value.where.endswith(where), caught.value.message
        assert problem in caught.value.problem


def test_bad_scenario_on_the_command_line_exits_2_and_writes_nothing(small_site, tmp_path, capsys):
    path = tmp_path / "whatif.yaml"
    path.write_text("scenarios:\n  - {name: best, service_goal: {voice: '105/20'}}\n")
    out = tmp_path / "out"
    assert main(["scenarios", "--site", str(small_site.site), "--scenarios", str(path), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "scenarios[0] 'best'.service_goal.voice" in err and "Traceback" not in err
    assert not out.exists()


def test_scenario_is_a_changed_copy_of_the_site(tmp_path, base):
    [scenario] = _scenarios(tmp_path, """
scenarios:
  - name: many changes
    volume: {voice: 20}
    aht: {all: -10}
    service_goal: {voice: "90/15"}
    shrinkage: {chat: 0.3}
    agents: {FT: 2, PT: -1}
    rules: {min_rest_between_shifts: {hours: 12}, max_consecutive_days: off}
    fairness: {weekends: 30}
    opening_hours: {sat: ["10:00", "14:00"]}
    shift_templates: [{id: P5, length_min: 300, earliest_start: "09:00", latest_start: "12:00", start_step_min: 60}]
    contracts: [{id: PT, min_hours_week: 12, max_hours_week: 20, shift_templates: [P4, P5], cost_per_hour: 21}]
""", base)
    changed = apply_scenario(base, scenario)
    voice = changed.site.queue("voice").service_goal
    assert (voice.service_level, voice.target_s) == (0.9, 15.0)
    assert changed.site.queue("chat").shrinkage == 0.3
    assert base.site.queue("voice").service_goal.service_level == 0.8      # the base is untouched
    counts = pd.Series([a.contract for a in changed.agents]).value_counts()
    assert counts["FT"] == 5 + 2 and counts["PT"] == 3 - 1
    new = [a for a in changed.agents if a.agent_id.startswith("FT-new")]
    assert [a.skills for a in new] == [("voice",), ("voice",)]          # the FT agents' usual skills
    kinds = [r.kind for r in changed.rules]
    assert "max_consecutive_days" not in kinds and "fairness" in kinds
    assert next(s for s in changed.site.rule_specs if s.kind == "min_rest_between_shifts").params["hours"] == 12
    assert "sat" in changed.site.opening_hours and changed.site.contract("PT").shift_templates == ("P4", "P5")
    assert not any(t.agent_id == "T05" for t in changed.time_off) or any(a.agent_id == "T05" for a in changed.agents)
    from pipeline.plan import ForecastUsed
    raw = pd.DataFrame({"queue": ["voice", "chat"], "contacts": [10.0, 10.0], "contacts_lo": [8.0, 8.0],
                        "contacts_hi": [12.0, 12.0], "aht_s": [300.0, 400.0]})
    scaled = scale_forecast(ForecastUsed(raw, "test", pd.DataFrame()), scenario).raw
    assert scaled["contacts"].tolist() == pytest.approx([12.0, 10.0])
    assert scaled["contacts_hi"].tolist() == pytest.approx([14.4, 12.0])
    assert scaled["aht_s"].tolist() == pytest.approx([270.0, 360.0])


def test_with_headcount_removes_the_last_and_adds_usual_agents(base):
    fewer = with_headcount(base.agents, base.site, "FT", 3)
    assert [a.agent_id for a in fewer if a.contract == "FT"] == ["T01", "T02", "T03"]
    more = with_headcount(base.agents, base.site, "PT", 4)
    assert [a.agent_id for a in more if a.contract == "PT"][-1:] == ["PT-new01"]


@pytest.mark.slow
def test_scenarios_run_in_parallel_equal_one_after_another(tmp_path):
    files = write_small_site(tmp_path / "site")
    whatif = tmp_path / "whatif.yaml"
    whatif.write_text("""
scenarios:
  - {name: voice +20%, volume: {voice: 20}}
  - {name: two fewer FT, agents: {FT: -2}}
  - {name: least FT, solve_for: {headcount: FT, min: 2, max: 8}}
""")
    outputs = {}
    for label, extra in (("parallel", ["--parallel", "2"]), ("serial", ["--parallel", "1"])):
        out = tmp_path / label
        code = main(["scenarios", "--site", str(files.site), "--scenarios", str(whatif), "--out", str(out),
                     "--time-limit", "3", "--fresh-forecast", *extra])
        assert code == 0
        outputs[label] = out
    frames = [pd.read_csv(outputs[k] / "scenarios.csv").drop(columns=["wall seconds", "plan seconds"])
              for k in ("parallel", "serial")]
    pd.testing.assert_frame_equal(*frames)
    frame = frames[0].set_index("scenario")
    assert list(frame.index) == ["base", "voice +20%", "two fewer FT", "least FT"]
    assert frame.loc["two fewer FT", "agents"] == 6 and frame.loc["base", "agents"] == 8
    assert frame.loc["voice +20%", "voice projected SL"] < frame.loc["base", "voice projected SL"]
    assert frame.loc["two fewer FT", "paid hours"] < frame.loc["base", "paid hours"]
    steps = pd.read_csv(outputs["serial"] / "least-ft" / "headcount_search.csv")
    answer = int(frame.loc["least FT", "headcount answer"])
    assert steps.loc[steps["answer"], "goals met"].all()
    assert not steps.loc[steps["headcount"] == answer - 1, "goals met"].any()   # one below does not meet them
    for folder in ("base", "voice-20", "two-fewer-ft", "least-ft"):
        assert (outputs["parallel"] / folder / "report.html").exists()
        assert (outputs["parallel"] / folder / "roster.csv").read_bytes() == \
            (outputs["serial"] / folder / "roster.csv").read_bytes()
    page = (outputs["parallel"] / "scenarios.html").read_text()
    assert 'href="least-ft/report.html"' in page
