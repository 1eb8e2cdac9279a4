"""The per-call file: read right, and every bad cell named by file, row and column."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from common.errors import InputError
from scheduler.calibration.calls import load_calls
from scheduler.calibration.intervals import aggregate_calls, interval_start
from scheduler.calibration.presence import service_spans, sessions

HEADER = "queue,arrival,wait_s,outcome,handle_s,agent_id\n"
TZ = "Asia/Jerusalem"


def write(tmp_path: Path, body: str, name: str = "calls.csv") -> Path:
    path = tmp_path / name
    path.write_text(HEADER + body, encoding="utf-8")
    return path


def problems(path: Path, tz: str = TZ) -> str:
    with pytest.raises(InputError) as info:
        load_calls(path, tz)
    return info.value.message


def test_reads_calls_with_and_without_offsets(tmp_path):
    path = write(tmp_path, "retail,1999-10-04 09:00:05,0,answered,120,AVI\n"
                           "retail,1999-10-04T07:00:09Z,12,Abandoned,,\n"
                           "internet,1999-10-04 08:59:59,3.5,answered,60,\n")
    calls = load_calls(path, TZ)
    assert list(calls.columns) == ["queue", "arrival", "wait_s", "outcome", "handle_s", "agent_id"]
    assert str(calls["arrival"].dt.tz) == TZ
    # sorted by arrival; 07:00:09Z is 09:00:09 in Israel (UTC+2 in October 1999)
    assert calls["arrival"].tolist() == [pd.Timestamp("1999-10-04 08:59:59", tz=TZ),
                                         pd.Timestamp("1999-10-04 09:00:05", tz=TZ),
                                         pd.Timestamp("1999-10-04 09:00:09", tz=TZ)]
    assert calls["outcome"].tolist() == ["answered", "answered", "abandoned"]
    assert np.isnan(calls["handle_s"].iloc[2]) and calls["agent_id"].iloc[2] == ""


def test_every_bad_cell_is_named_in_one_message(tmp_path):
    path = write(tmp_path, "retail,1999-10-04 09:00:05,0,answered,120,AVI\n"
                           "retail,1999-10-04 09:01:00,5,hung up,,\n"          # row 3: unknown outcome
                           "retail,1999-10-04 09:02:00,-4,answered,80,AVI\n"   # row 4: negative wait
                           "retail,last tuesday,3,answered,80,AVI\n"           # row 5: arrival not a time
                           "retail,1999-10-04 09:03:00,30,abandoned,95,\n"     # row 6: handle on an abandoned call
                           "retail,1999-10-04 09:04:00,30,abandoned,,BOB\n"    # row 7: agent on an abandoned call
                           "retail,1999-10-04 09:05:00,0,answered,,AVI\n"      # row 8: answered without handle time
                           ",1999-10-04 09:06:00,x,answered,-1,AVI\n")         # row 9: three problems
    text = problems(path)
    expected = [
        ("row 3, column 'outcome'", "unknown outcome 'hung up'"),
        ("row 4, column 'wait_s'", "the wait -4 s is negative"),
        ("row 5, column 'arrival'", "'last tuesday' is not a date and time"),
        ("row 6, column 'handle_s'", "an abandoned call has a handle time (95)"),
        ("row 7, column 'agent_id'", "an abandoned call names agent 'BOB'"),
        ("row 8, column 'handle_s'", "an answered call has no handle time"),
        ("row 9, column 'queue'", "the queue is empty"),
        ("row 9, column 'wait_s'", "'x' is not a number of seconds"),
        ("row 9, column 'handle_s'", "the handle time -1 s is negative"),
    ]
    lines = [line for line in text.splitlines() if not line.strip().startswith("how to fix")]
    assert len(lines) == len(expected)
    for line, (where, what) in zip(lines, expected):
        assert line.startswith(f"{path} {where}: {what}"), line
    assert text.count("how to fix") == len(expected)


def test_many_bad_cells_are_listed_up_to_a_cap_and_counted(tmp_path):
    path = write(tmp_path, "".join(f"retail,1999-10-04 09:00:{i:02d},-1,answered,5,A\n" for i in range(30)))
    text = problems(path)
    assert text.count("is negative") == 20 and "10 more bad cell(s) not listed" in text


def test_local_time_that_a_clock_change_makes_ambiguous_must_carry_its_offset(tmp_path):
    path = write(tmp_path, "voice,2024-10-27 01:30:00,0,answered,60,A\n")
    assert "is ambiguous or does not exist in Europe/London" in problems(path, "Europe/London")
    ok = write(tmp_path, "voice,2024-10-27T01:30:00+01:00,0,answered,60,A\n"
                         "voice,2024-10-27T01:30:00+00:00,0,answered,60,A\n", "ok.csv")
    calls = load_calls(ok, "Europe/London")
    starts = interval_start(calls["arrival"], 60)
    assert starts.nunique() == 2              # the repeated hour gives two intervals, an hour apart
    assert (starts.iloc[1] - starts.iloc[0]) == pd.Timedelta(hours=1)


def test_missing_column_and_empty_file_are_clear(tmp_path):
    path = tmp_path / "calls.csv"
    path.write_text("queue,arrival,wait_s,outcome,handle_s\nretail,1999-10-04 09:00,0,answered,5\n")
    assert "missing column(s) 'agent_id'" in problems(path)
    path.write_text(HEADER)
    assert "header but no rows" in problems(path)


def test_calls_become_interval_history_by_arrival_interval(tmp_path):
    path = write(tmp_path, "q,1999-10-04 09:10:00,0,answered,600,A\n"          # A busy 09:10-09:20
                           "q,1999-10-04 09:20:00,25,answered,300,A\n"         # A busy 09:20:25-09:25:25
                           "q,1999-10-04 09:50:00,40,abandoned,,\n"
                           "q,1999-10-04 10:05:00,10,answered,100,B\n")        # B busy 10:05:10-10:06:50
    calls = load_calls(path, TZ)
    history = aggregate_calls(calls, 60, 20.0, sessions(service_spans(calls), 900.0))
    nine, ten = history.iloc[0], history.iloc[1]
    assert nine["start"] == pd.Timestamp("1999-10-04 09:00", tz=TZ)
    assert (nine["contacts"], nine["answered"], nine["abandoned"], nine["answered_within_target"]) == (3, 2, 1, 1)
    assert nine["wait_s_total"] == 65 and nine["aht_s"] == 450
    # A on duty 09:10:00-09:25:25 (one session: the 0 s gap is under 15 min) = 925 s of the hour
    assert nine["agents_staffed"] == pytest.approx(925 / 3600)
    assert ten["agents_staffed"] == pytest.approx(100 / 3600)
