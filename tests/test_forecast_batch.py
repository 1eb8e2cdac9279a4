"""The nightly batch, the version store and the `forecast` command."""
from __future__ import annotations

import sqlite3
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from forecast.batch import BatchSettings, run_batch
from forecast.engine import FORECAST_COLUMNS
from forecast.store import compare_versions, latest_forecast, list_versions
from forecast.synthetic import synthetic_history, write_history_csv
from run_schedule import main

TZ = "Europe/London"
START = pd.Timestamp("2024-02-04", tz=TZ)     # the day after the last history row (Sat 3 Feb)


def history_csv(tmp_path: Path, name: str = "history.csv", queues=("a", "b", "c"), seed: int = 31,
                break_queue: str | None = None) -> Path:
    hist = synthetic_history(list(queues), weeks=5, first_day="2024-01-01", seed=seed)
    path = tmp_path / name
    write_history_csv(hist, path)
    if break_queue:
        lines = path.read_text().splitlines()
        i = next(i for i, line in enumerate(lines) if line.startswith(f"{break_queue},"))
        parts = lines[i].split(",")
        parts[2] = "-4"
        lines[i] = ",".join(parts)
        path.write_text("\n".join(lines) + "\n")
    return path


def settings(**kw) -> BatchSettings:
    return BatchSettings(timezone=TZ, horizon_days=7, origins=2, **kw)


def test_batch_stores_a_version_that_latest_forecast_returns(tmp_path):
    db = tmp_path / "f.sqlite"
    report = run_batch(history_csv(tmp_path), settings(), db, workers=1)
    assert report.status == "complete" and report.version_id == 1 and report.start == START
    got = latest_forecast(db, ["a", "b", "c"], START, 7)
    expected = report.forecast()
    assert list(got.columns) == FORECAST_COLUMNS + ["version_id"]
    assert len(got) == len(expected) == 3 * 6 * 24
    assert np.allclose(got["contacts"], expected["contacts"]) and (got["start"] == expected["start"]).all()
    # A window the run does not cover, an unknown queue, a missing store: None, so plan forecasts itself.
    assert latest_forecast(db, ["a"], START, 8) is None
    assert latest_forecast(db, ["zzz"], START, 7) is None
    assert latest_forecast(tmp_path / "none.sqlite", ["a"], START, 7) is None


def test_bad_queue_fails_alone_and_falls_back_to_its_previous_version(tmp_path):
    db = tmp_path / "f.sqlite"
    run_batch(history_csv(tmp_path, "v1.csv"), settings(), db, workers=1)
    report = run_batch(history_csv(tmp_path, "v2.csv", seed=32, break_queue="b"), settings(), db, workers=2)
    assert report.status == "partial" and [o.queue for o in report.failed] == ["b"]
    assert "row" in report.failed[0].error and "negative" in report.failed[0].error
    got = latest_forecast(db, ["a", "b", "c"], START, 7)
    versions = got.groupby("queue")["version_id"].first().to_dict()
    assert versions == {"a": 2, "b": 1, "c": 2}
    runs = list_versions(db)
    assert list(runs["status"]) == ["complete", "partial"] and list(runs["queues_failed"]) == [0, 1]
    compared = compare_versions(db, 1, 2)
    assert list(compared["queue"]) == ["a", "b", "c"] and compared["model_new"].isna().sum() == 1


def test_pruned_versions_keep_their_accuracy_but_are_not_served(tmp_path):
    from forecast.store import prune_intervals

    db = tmp_path / "f.sqlite"
    path = history_csv(tmp_path)
    for _ in range(3):
        run_batch(path, settings(), db, workers=1)
    assert prune_intervals(db, keep=1) == 2 and prune_intervals(db, keep=1) == 0
    assert latest_forecast(db, ["a"], START, 7)["version_id"].eq(3).all()
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT DISTINCT version_id FROM forecast_interval").fetchall() == [(3,)]
        assert conn.execute("SELECT COUNT(DISTINCT version_id) FROM backtest_metric").fetchone()[0] == 3


def test_store_schema_records_model_and_accuracy(tmp_path):
    db = tmp_path / "f.sqlite"
    run_batch(history_csv(tmp_path), settings(), db, workers=1)
    with sqlite3.connect(db) as conn:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        assert {"forecast_run", "forecast_queue", "forecast_interval", "backtest_metric"} <= tables
        chosen = conn.execute("SELECT COUNT(*) FROM backtest_metric WHERE chosen = 1 AND horizon_day = 0").fetchone()
        assert chosen[0] == 3
        row = conn.execute("SELECT model, backtest_wape, naive_wape FROM forecast_queue WHERE queue = 'a'").fetchone()
        assert row[0] and 0 < row[1] < 1 and 0 < row[2] < 1


def test_folder_of_histories(tmp_path):
    folder = tmp_path / "histories"
    folder.mkdir()
    history_csv(folder, "site1.csv", queues=("a",))
    history_csv(folder, "site2.csv", queues=("b",), seed=33)
    report = run_batch(folder, settings(), None, workers=1)
    assert [o.queue for o in report.outcomes] == ["a", "b"] and report.status == "complete"


def test_cli_forecast_writes_the_contract_csv(tmp_path, capsys):
    out = tmp_path / "F.csv"
    code = main(["forecast", "--history", str(history_csv(tmp_path)), "--timezone", TZ, "--horizon-days", "7",
                 "--out", str(out), "--db", str(tmp_path / "f.sqlite"), "--workers", "1", "--origins", "1"])
    assert code == 0
    frame = pd.read_csv(out)
    assert list(frame.columns) == FORECAST_COLUMNS and len(frame) == 3 * 6 * 24
    assert pd.to_datetime(frame["start"], utc=True).min() == pd.Timestamp("2024-02-05 08:00", tz="UTC")
    assert "3 queue(s) forecast, 0 failed" in capsys.readouterr().out


def test_cli_exit_codes(tmp_path, capsys):
    base = ["forecast", "--timezone", TZ, "--horizon-days", "7", "--no-store", "--workers", "1", "--origins", "1"]
    assert main(base + ["--history", str(tmp_path / "missing.csv")]) == 2
    assert "does not exist" in capsys.readouterr().err
    bad = history_csv(tmp_path, break_queue="c")
    assert main(base + ["--history", str(bad), "--out", str(tmp_path / "F.csv")]) == 3
    assert "FAILED c:" in capsys.readouterr().out
    assert set(pd.read_csv(tmp_path / "F.csv")["queue"]) == {"a", "b"}
    assert main(base + ["--history", str(bad), "--models", "nope"]) == 2
    assert main(base + ["--history", str(bad), "--timezone", "Mars/Olympus"]) == 2
