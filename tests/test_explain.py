"""`explain`: why an agent works a day, from a finished plan's files."""
from __future__ import annotations

import pandas as pd

from run_schedule import main
from tests.site_factory import SMALL_AGENTS_CSV, SMALL_SITE_YAML, write_small_site


def test_explain_names_coverage_binding_rules_and_cost(tmp_path, capsys):
    yaml = SMALL_SITE_YAML.replace("{id: FT, min_hours_week: 32,", "{id: FT, min_hours_week: 40,")
    agents = SMALL_AGENTS_CSV.replace("T08,Hal Ive,FT,chat,,,fri", "T08,Hal Ive,FT,chat,,,")   # 5 days fit 40 h
    files = write_small_site(tmp_path / "site", site_yaml=yaml, agents_csv=agents)
    out = tmp_path / "out"
    assert main(["plan", "--site", str(files.site), "--out", str(out)]) == 0
    roster = pd.read_csv(out / "roster.csv")
    day = roster.loc[roster["agent_id"] == "T01", "date"].iloc[0]
    capsys.readouterr()
    assert main(["explain", "--site", str(files.site), "--out", str(out), "--agent", "T01", "--date", day]) == 0
    text = capsys.readouterr().out
    assert f"T01 (Ann Lee, contract FT, skills voice) works D8" in text
    assert "voice: in" in text and "intervals the queue would be short without them" in text
    # 40 h from 8-hour shifts: every shift is needed by the contract.
    assert "contract_weekly_hours: 32 h this week; contract FT needs 40-40 h" in text
    assert "Cost: 8 paid hours at 20/h = 160.00" in text


def test_explain_an_unknown_agent_is_a_clear_error(small_site, tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["plan", "--site", str(small_site.site), "--out", str(out)]) == 0
    assert main(["explain", "--site", str(small_site.site), "--out", str(out), "--agent", "Z9", "--date", "2026-03-02"]) == 2
    assert "unknown agent 'Z9'" in capsys.readouterr().err
