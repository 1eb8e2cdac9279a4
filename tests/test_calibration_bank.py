"""The bank adapter and `calibrate` end to end on two real days (tests/fixtures/anonymous_bank_1999_10_slice.tsv)."""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import yaml

from bench.bank_calls import TIMEZONE, convert, to_csv_text
from run_schedule import main

SLICE = Path(__file__).parent / "fixtures" / "anonymous_bank_1999_10_slice.tsv"


@pytest.fixture(scope="module")
def bank_csv(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("bank") / "calls.csv"
    path.write_text(to_csv_text(convert(SLICE).calls), encoding="utf-8")
    return path


def test_adapter_keeps_offered_calls_and_counts_what_it_drops():
    raw = pd.read_csv(SLICE, sep="\t", dtype=str, keep_default_na=False)
    result = convert(SLICE)
    calls, dropped = result.calls, result.dropped
    ok = raw[raw["date"].str.fullmatch(r"\d{6}")]
    q_time = pd.to_numeric(ok["q_time"])
    expected = {
        "unparsable row": 1,
        "PHANTOM (not a call)": int((ok["outcome"] == "PHANTOM").sum()),
        "AGENT served by NO_SERVER (not agent work)": int(((ok["outcome"] == "AGENT") & (ok["server"] == "NO_SERVER")).sum()),
        "HANG without queueing (never offered to an agent)": int(((ok["outcome"] == "HANG") & (q_time == 0)).sum()),
    }
    assert dropped == expected
    assert len(calls) + sum(dropped.values()) == len(raw)
    answered = (ok["outcome"] == "AGENT") & (ok["server"] != "NO_SERVER")
    assert (calls["outcome"] == "answered").sum() == answered.sum()
    # calls answered without queueing arrive with wait 0 (about 40% of what agents were offered)
    no_wait = (calls["outcome"] == "answered") & (calls["wait_s"] == 0)
    assert 0.3 < no_wait.mean() < 0.8
    assert set(calls["queue"]) == {"retail", "internet"}
    internet = calls[(calls["queue"] == "internet") & (calls["outcome"] == "answered")]
    assert internet["agent_id"].str.startswith("Z2").mean() > 0.8       # its own pool of agents


def test_calibrate_on_two_real_days_writes_fragment_backtest_and_history(bank_csv, tmp_path, capsys):
    out = tmp_path / "cal"
    code = main(["calibrate", "--calls", str(bank_csv), "--timezone", TIMEZONE, "--interval-min", "60",
                 "--target-s", "20", "--fit-until", "1999-10-10", "--out", str(out), "--floor-replications", "8"])
    assert code == 0
    printed = capsys.readouterr().out
    assert "queue retail:" in printed and "noise floor" in printed and "internet: not calibrated" in printed
    fragment = yaml.safe_load((out / "calibration.yaml").read_text())["calibration"]
    use = fragment["queues"]["retail"]["use"]
    assert set(use) == {"patience_s", "after_call_s", "handle_distribution", "handle_cv"}
    assert 60 < use["patience_s"] < 3000 and 0 < use["after_call_s"] < 300
    backtest = pd.read_csv(out / "backtest.csv")
    assert list(backtest.columns) == ["queue", "start", "sample", "offered", "agents_on_duty", "actual_sl",
                                      "predicted_sl", "actual_abandon", "predicted_abandon", "actual_asa_s",
                                      "predicted_asa_s"]
    assert set(backtest["sample"]) == {"fit", "test"} and (backtest["offered"] >= 30).all()
    assert backtest["start"].str.startswith("1999-10-04").sum() == (backtest["sample"] == "fit").sum()
    history = pd.read_csv(out / "history.csv")
    assert history["contacts"].sum() == len(pd.read_csv(bank_csv))
    # the history written from the calls calibrates too (interval route), and feeds the forecast loader
    out2 = tmp_path / "cal2"
    assert main(["calibrate", "--history", str(out / "history.csv"), "--timezone", TIMEZONE, "--interval-min", "60",
                 "--fit-until", "1999-10-10", "--out", str(out2), "--floor-replications", "8"]) == 0
    again = yaml.safe_load((out2 / "calibration.yaml").read_text())["calibration"]["queues"]["retail"]
    assert again["use"]["patience_s"] == use["patience_s"] and "handle_cv" not in again["use"]


BAD_CELLS = [
    ("outcome", "answered", "transferred", "column 'outcome': unknown outcome 'transferred'"),
    ("wait_s", None, "-7", "column 'wait_s': the wait -7 s is negative"),
    ("arrival", None, "4th of October", "column 'arrival': '4th of October' is not a date and time"),
    ("handle_s", "abandoned", "42", "column 'handle_s': an abandoned call has a handle time (42)"),
]


@pytest.mark.parametrize("column, outcome, value, message", BAD_CELLS)
def test_a_bad_cell_is_exit_2_with_its_row_and_nothing_written(bank_csv, tmp_path, capsys, column, outcome, value,
                                                               message):
    calls = pd.read_csv(bank_csv, dtype=str, keep_default_na=False)
    row = int(calls.index[calls["outcome"] == outcome][10]) if outcome else 10
    calls.loc[row, column] = value
    bad = tmp_path / "bad.csv"
    calls.to_csv(bad, index=False)
    out = tmp_path / "out"
    code = main(["calibrate", "--calls", str(bad), "--timezone", TIMEZONE, "--fit-until", "1999-10-10",
                 "--out", str(out)])
    err = capsys.readouterr().err
    assert code == 2 and "Traceback" not in err
    assert f"{bad} row {row + 2}, {message}" in err and "how to fix" in err
    assert not out.exists()


@pytest.mark.parametrize("date", ["1999-11-20", "1999-10-04", "1999-09-01"])
def test_fit_until_outside_the_records_is_exit_2_and_nothing_written(bank_csv, tmp_path, capsys, date):
    out = tmp_path / "out"
    code = main(["calibrate", "--calls", str(bank_csv), "--timezone", TIMEZONE, "--fit-until", date,
                 "--out", str(out)])
    err = capsys.readouterr().err
    assert code == 2 and f"--fit-until: {date} is outside the records, which run from 1999-10-04" in err
    assert not out.exists()


def test_calls_history_command(bank_csv, tmp_path):
    out = tmp_path / "history.csv"
    assert main(["calls-history", "--calls", str(bank_csv), "--timezone", TIMEZONE, "--interval-min", "30",
                 "--out", str(out)]) == 0
    from forecast.history import load_history
    history = load_history(out, TIMEZONE)
    assert {"answered", "abandoned", "answered_within_target", "wait_s_total", "agents_staffed"} <= set(history)
    assert history["start"].dt.minute.isin([0, 30]).all()
