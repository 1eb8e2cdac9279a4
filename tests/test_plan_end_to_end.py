"""The whole pipeline on a small site through the command line, as a planner runs it."""
from __future__ import annotations

import pandas as pd

from run_schedule import main


def test_plan_writes_every_output_and_passes_every_check(small_site, tmp_path, capsys):
    out = tmp_path / "out"
    code = main(["plan", "--site", str(small_site.site), "--out", str(out)])
    printed = capsys.readouterr().out
    assert code == 0, printed
    assert sorted(p.name for p in out.iterdir()) == ["activities.csv", "fairness_ledger.csv", "forecast.csv", "report.html",
                                                     "requirements.csv", "roster.csv", "roster.xlsx", "timings.csv"]
    assert "independent checks passed" in printed and "FAILED" not in printed

    forecast = pd.read_csv(out / "forecast.csv")
    assert list(forecast.columns) == ["queue", "start", "contacts", "contacts_lo", "contacts_hi", "aht_s", "model"]
    # The planning week is the one after the history: Mon 2 Mar 2026, 5 open days x 8 hours x 2 queues.
    assert len(forecast) == 5 * 8 * 2
    assert forecast["start"].str.startswith("2026-03-02").sum() == 16
    assert (forecast["contacts_lo"] <= forecast["contacts"]).all()
    assert (forecast["contacts"] <= forecast["contacts_hi"]).all()

    requirements = pd.read_csv(out / "requirements.csv")
    assert (requirements["agents_required"] >= requirements["agents_net"]).all()
    assert (requirements.loc[requirements["queue"] == "voice", "agents_required"] >= 1).all()   # min_agents
    # The roster's simulated service level (seeded DES) sits inside its own confidence interval.
    sim = requirements.dropna(subset=["sim_service_level"])
    assert len(sim) > 0
    assert ((sim["sim_service_level_lo"] <= sim["sim_service_level"] + 1e-9)
            & (sim["sim_service_level"] <= sim["sim_service_level_hi"] + 1e-9)).all()
    assert "simulated" in printed

    roster = pd.read_csv(out / "roster.csv")
    hours = roster.groupby("agent_id")["paid_hours"].sum()
    assert hours["T01"] >= 32 and hours["T01"] <= 40
    assert "2026-03-04" not in set(roster.loc[roster["agent_id"] == "T05", "date"])   # time off
    assert roster.loc[roster["agent_id"] == "T07", "start"].str.slice(11, 16).isin(["09:00"]).all()  # 09-13 only

    html = (out / "report.html").read_text()
    assert "<svg" in html and "http://" not in html.replace("http://www.w3.org/2000/svg", "")
    assert "solver: OPTIMAL" in printed or "not proved optimal" in printed


def test_same_inputs_and_seed_give_the_same_roster(small_site, tmp_path):
    first, second = tmp_path / "a", tmp_path / "b"
    assert main(["plan", "--site", str(small_site.site), "--out", str(first)]) == 0
    assert main(["plan", "--site", str(small_site.site), "--out", str(second)]) == 0
    for name in ("forecast.csv", "requirements.csv", "roster.csv"):
        assert (first / name).read_bytes() == (second / name).read_bytes(), name


def test_validate_reports_ok(small_site, capsys):
    assert main(["validate", "--site", str(small_site.site)]) == 0
    assert "every agent can be rostered" in capsys.readouterr().out


def test_help_lists_every_subcommand(capsys):
    try:
        main(["--help"])
    except SystemExit as exit_:
        assert exit_.code == 0
    text = capsys.readouterr().out
    for command in ("plan", "validate"):
        assert command in text
