"""Fairness is optimised, not only reported: weekends go to agents who have worked fewest."""
from __future__ import annotations

import pandas as pd

from run_schedule import main
from tests.site_factory import SMALL_SITE_YAML, write_small_site

SATURDAY_SITE = SMALL_SITE_YAML.replace(
    '    fri: ["09:00", "17:00"]\n', '    fri: ["09:00", "17:00"]\n    sat: ["09:00", "17:00"]\n').replace(
    "  time_off: time_off.csv\n", "  time_off: time_off.csv\n  fairness_ledger: ledger.csv\n").replace(
    "    min_agents: 1\n", "    min_agents: 3\n")   # three on the phones on Saturday: a real choice of who
LEDGER = "agent_id,weeks,weekends_worked,late_shifts\nT01,8,6,0\nT02,8,6,0\nT03,8,5,0\nT04,8,0,0\nT08,8,1,0\n"


def _plan(tmp_path, name, fairness: bool):
    yaml = SATURDAY_SITE
    if fairness:
        yaml = yaml.replace("  - {rule: min_days_off_per_week, days: 2}\n",
                            "  - {rule: min_days_off_per_week, days: 2}\n  - {rule: fairness, weekends: 300}\n")
    files = write_small_site(tmp_path / name, site_yaml=yaml)
    (files.folder / "ledger.csv").write_text(LEDGER)
    out = tmp_path / f"out-{name}"
    assert main(["plan", "--site", str(files.site), "--out", str(out), "--time-limit", "4"]) == 0
    roster = pd.read_csv(out / "roster.csv")
    saturday = set(roster.loc[pd.to_datetime(roster["date"]).dt.day_of_week == 5, "agent_id"])
    ledger = pd.read_csv(out / "fairness_ledger.csv").set_index("agent_id")
    return saturday, ledger


def test_weekend_goes_to_those_who_worked_fewest(tmp_path):
    saturday_fair, ledger_fair = _plan(tmp_path, "fair", fairness=True)
    saturday_plain, ledger_plain = _plan(tmp_path, "plain", fairness=False)
    assert saturday_fair, "someone must work Saturday for the test to mean anything"
    # The heavy weekend workers are spared while anyone with fewer past weekends can take it.
    assert not saturday_fair & {"T01", "T02", "T03"}
    assert ledger_fair["weekends_worked"].max() <= ledger_plain["weekends_worked"].max()
    # The ledger carries past weeks forward.
    assert (ledger_fair["weeks"].loc[["T01", "T05"]] == [9, 1]).all()
    assert ledger_fair.loc["T01", "weekends_worked"] == 6
