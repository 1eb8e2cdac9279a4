"""load_history: one clear InputError per planner mistake, and correct time handling."""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from common.errors import InputError
from forecast.history import infer_interval_min, load_history

TZ = "Europe/London"


def write(tmp_path: Path, text: str, name: str = "history.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def error_of(path: Path) -> InputError:
    with pytest.raises(InputError) as info:
        load_history(path, TZ)
    return info.value


def test_reads_mixed_offsets_sorted_and_tz_aware(tmp_path):
    path = write(tmp_path, "queue,start,contacts,aht_s\n"
                           "b,2024-01-08 09:00,4,300\n"
                           "a,2024-01-08T09:30:00+00:00,5,310\n"
                           "a,2024-01-08 09:00,3,\n"
                           "a,2024-07-08T09:00:00Z,2,200\n")
    frame = load_history(path, TZ)
    assert list(frame.columns) == ["queue", "start", "contacts", "aht_s"]
    assert str(frame["start"].dt.tz) == TZ
    assert list(frame["queue"]) == ["a", "a", "a", "b"]
    assert frame["start"].iloc[0] == pd.Timestamp("2024-01-08 09:00", tz=TZ)
    # 09:00 UTC in July is 10:00 local (BST): the offset wins over the wall clock.
    assert frame["start"].iloc[2] == pd.Timestamp("2024-07-08 10:00", tz=TZ)
    assert pd.isna(frame["aht_s"].iloc[0])     # blank AHT is unknown, not an error


def test_autumn_repeated_hour_without_offset_is_two_intervals(tmp_path):
    path = write(tmp_path, "queue,start,contacts\n"
                           "a,2024-10-27 01:00,1\na,2024-10-27 01:30,1\n"
                           "a,2024-10-27 01:00,2\na,2024-10-27 01:30,2\na,2024-10-27 02:00,3\n")
    frame = load_history(path, TZ)
    utc = frame["start"].dt.tz_convert("UTC")
    assert utc.is_unique and utc.is_monotonic_increasing
    assert list(frame["contacts"]) == [1, 1, 2, 2, 3]


def test_missing_file(tmp_path):
    err = error_of(tmp_path / "nope.csv")
    assert "nope.csv" in err.where and "does not exist" in err.problem


@pytest.mark.parametrize("text", ["", "queue,start,contacts\n"])
def test_empty_file(tmp_path, text):
    err = error_of(write(tmp_path, text))
    assert "history.csv" in err.where
    assert "empty" in err.problem or "no rows" in err.problem


def test_missing_column(tmp_path):
    err = error_of(write(tmp_path, "queue,start,calls\na,2024-01-08 09:00,3\n"))
    assert "'contacts'" in err.problem and err.fix


def test_non_numeric_contacts_names_row_and_column(tmp_path):
    err = error_of(write(tmp_path, "queue,start,contacts\na,2024-01-08 09:00,3\na,2024-01-08 09:30,lots\n"))
    assert "row 3" in err.where and "'contacts'" in err.where and "'lots'" in err.problem


def test_non_numeric_aht(tmp_path):
    err = error_of(write(tmp_path, "queue,start,contacts,aht_s\na,2024-01-08 09:00,3,4m\n"))
    assert "row 2" in err.where and "'aht_s'" in err.where and "4m" in err.problem


def test_negative_contacts(tmp_path):
    err = error_of(write(tmp_path, "queue,start,contacts\na,2024-01-08 09:00,-3\n"))
    assert "row 2" in err.where and "negative" in err.problem


def test_zero_aht_with_contacts_is_an_error_but_not_without(tmp_path):
    ok = write(tmp_path, "queue,start,contacts,aht_s\na,2024-01-08 09:00,0,0\n", "ok.csv")
    assert len(load_history(ok, TZ)) == 1
    err = error_of(write(tmp_path, "queue,start,contacts,aht_s\na,2024-01-08 09:00,0,0\n"
                                   "a,2024-01-08 09:30,5,0\n"))
    assert "row 3" in err.where and "aht_s" in err.where and "contacts" in err.problem


def test_negative_aht(tmp_path):
    err = error_of(write(tmp_path, "queue,start,contacts,aht_s\na,2024-01-08 09:00,0,-5\n"))
    assert "row 2" in err.where and "aht_s" in err.where


def test_unparseable_start(tmp_path):
    err = error_of(write(tmp_path, "queue,start,contacts\na,2024-01-08 09:00,3\na,next monday,3\n"))
    assert "row 3" in err.where and "'start'" in err.where and "next monday" in err.problem
    assert "ISO 8601" in err.fix


def test_start_in_spring_gap_is_an_error(tmp_path):
    err = error_of(write(tmp_path, "queue,start,contacts\na,2024-03-31 01:30,3\n"))
    assert "row 2" in err.where and "does not exist" in err.problem


def test_duplicate_interval_names_both_rows(tmp_path):
    err = error_of(write(tmp_path, "queue,start,contacts\na,2024-01-08 09:00,3\nb,2024-01-08 09:00,3\n"
                                   "a,2024-01-08T09:00:00+00:00,4\n"))
    assert "rows 2 and 4" in err.where and "'a'" in err.problem


def test_one_error_for_many_bad_rows(tmp_path):
    err = error_of(write(tmp_path, "queue,start,contacts\na,2024-01-08 09:00,x\na,2024-01-08 09:30,y\n"))
    assert "row 2" in err.where and "1 more row" in err.problem


@pytest.mark.parametrize("minutes", [5, 6, 15, 30, 60])
def test_infer_interval(minutes):
    starts = pd.date_range("2024-01-08 08:00", periods=40, freq=f"{minutes}min", tz=TZ)
    # A night gap and a stray extra row must not change the answer.
    starts = starts.append(pd.DatetimeIndex([pd.Timestamp("2024-01-09 08:00", tz=TZ)]))
    frame = pd.DataFrame({"queue": "a", "start": starts, "contacts": 1.0})
    assert infer_interval_min(frame) == minutes


def test_infer_interval_needs_two_rows():
    frame = pd.DataFrame({"queue": ["a"], "start": [pd.Timestamp("2024-01-08 08:00", tz=TZ)], "contacts": [1.0]})
    with pytest.raises(InputError):
        infer_interval_min(frame)


def test_validating_one_queue_keeps_file_row_numbers(tmp_path):
    from forecast.history import read_history_text, validate_history

    path = write(tmp_path, "queue,start,contacts\na,2024-01-08 09:00,3\nb,2024-01-08 09:00,3\n"
                           "a,2024-01-08 09:30,3\nb,2024-01-08 09:30,oops\n")
    text = read_history_text(path)
    ok = validate_history(text[text["queue"] == "a"], path, TZ)
    assert len(ok) == 2
    with pytest.raises(InputError) as info:
        validate_history(text[text["queue"] == "b"], path, TZ)
    assert "row 5" in info.value.where


def test_acd_interval_columns_are_read_and_checked(tmp_path):
    header = "queue,start,contacts,aht_s,answered,abandoned,answered_within_target,wait_s_total,agents_staffed\n"
    ok = write(tmp_path, header + "a,2024-01-08 09:00,40,200,36,4,30,610,5.5\n"
                                  "a,2024-01-08 10:00,0,,0,0,0,0,2\n")
    frame = load_history(ok, TZ)
    assert frame.loc[0, ["answered", "abandoned", "answered_within_target", "wait_s_total", "agents_staffed"]].tolist() \
        == [36, 4, 30, 610, 5.5]
    over = write(tmp_path, header + "a,2024-01-08 09:00,40,200,36,5,30,610,5\n", "over.csv")
    err = error_of(over)
    assert "row 2, column 'abandoned'" in err.where and "answered 36 + abandoned 5 is more than contacts 40" in err.problem
    late = write(tmp_path, header + "a,2024-01-08 09:00,40,200,30,4,31,610,5\n", "late.csv")
    err = error_of(late)
    assert "column 'answered_within_target'" in err.where and "more than answered 30" in err.problem
    neg = write(tmp_path, header + "a,2024-01-08 09:00,40,200,36,4,30,-1,5\n", "neg.csv")
    assert "column 'wait_s_total'" in error_of(neg).where


def test_an_unknown_column_is_a_warning_that_names_it(tmp_path, caplog):
    path = write(tmp_path, "queue,start,contacts,abandonned\na,2024-01-08 09:00,40,4\n")
    with caplog.at_level("WARNING"):
        frame = load_history(path, TZ)
    assert "abandoned" not in frame.columns
    assert "'abandonned'" in caplog.text and "ignored" in caplog.text
