"""The nightly batch under faults: a queue with bad history, a worker process that dies (local pool and a real
Dask LocalCluster), the store locked by another process, the store's disk full. The other queues finish, the
store never holds half a queue or a version a reader would use by mistake, and the run says what failed."""
from __future__ import annotations

import os
import sqlite3

import pandas as pd
import pytest

import forecast.batch as batch
import forecast.store as store
from forecast.batch import BatchSettings, run_batch
from forecast.synthetic import synthetic_history, write_history_csv

TZ = "Europe/London"
SETTINGS = BatchSettings(timezone=TZ, horizon_days=7, origins=2)
QUEUES = ["a", "b", "c", "d"]


@pytest.fixture(scope="module")
def history_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("faults") / "history.csv"
    write_history_csv(synthetic_history(QUEUES, weeks=5, first_day="2024-01-01", seed=5), path)
    return path


_real_run_queue = batch.run_queue


def _dies_on_b(task, settings, start):
    """Run a queue; the process running queue 'b' dies on the spot, as one killed by the OOM killer would."""
    if task.queue == "b":
        os._exit(137)
    return _real_run_queue(task, settings, start)


def _stored(db) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    with sqlite3.connect(db) as conn:
        runs = pd.read_sql("SELECT version_id, status, queues_ok, queues_failed FROM forecast_run", conn)
        queues = pd.read_sql("SELECT version_id, queue, status, error FROM forecast_queue ORDER BY queue", conn)
        rows = pd.read_sql("SELECT version_id, queue, COUNT(*) AS n FROM forecast_interval GROUP BY 1, 2", conn)
    return runs, queues, rows


def test_a_queue_with_bad_history_fails_alone_with_the_reason(tmp_path, history_file):
    lines = history_file.read_text().splitlines()
    lines.append(lines[-1].replace(",2024-", ",2031-", 1).replace("d,", "c,", 1))   # a stray row for queue c in 2031
    path = tmp_path / "history.csv"
    path.write_text("\n".join(lines) + "\n")
    report = run_batch(path, SETTINGS, tmp_path / "f.sqlite", workers=1)
    assert [o.queue for o in report.failed] == ["c"]
    assert "[history-future]" in report.failed[0].error and "[history-stray-rows]" in report.failed[0].error
    assert report.status == "partial"
    runs, queues, rows = _stored(tmp_path / "f.sqlite")
    assert runs["status"].tolist() == ["partial"]
    assert dict(zip(queues["queue"], queues["status"])) == {"a": "ok", "b": "ok", "c": "failed", "d": "ok"}
    assert sorted(rows["queue"]) == ["a", "b", "d"]


def test_a_local_worker_process_that_dies_loses_only_its_queue(tmp_path, history_file, monkeypatch):
    monkeypatch.setattr(batch, "run_queue", _dies_on_b)       # forked workers inherit it
    report = run_batch(history_file, SETTINGS, tmp_path / "f.sqlite", workers=2)
    assert [o.queue for o in report.failed] == ["b"]
    assert "died" in report.failed[0].error
    assert sorted(o.queue for o in report.outcomes if o.status == "ok") == ["a", "c", "d"]
    runs, queues, rows = _stored(tmp_path / "f.sqlite")
    assert runs["status"].tolist() == ["partial"]
    assert sorted(rows["queue"]) == ["a", "c", "d"] and rows["n"].nunique() == 1    # each whole


def test_the_store_locked_by_another_process_leaves_no_usable_half_version(tmp_path, history_file, monkeypatch):
    """Another process takes the store's write lock after the first queue and keeps it: the rest are forecast,
    retried once at the end, then reported as not stored; the version is never marked usable."""
    monkeypatch.setattr(store, "LOCK_WAIT_S", 0.2)
    db = tmp_path / "f.sqlite"
    other = sqlite3.connect(db, timeout=5, isolation_level=None)
    state = {"locked": False}

    def progress(done, total):
        if not state["locked"]:
            other.execute("BEGIN EXCLUSIVE")
            state["locked"] = True

    report = run_batch(history_file, SETTINGS, db, workers=1, progress=progress)
    assert not report.failed                                   # every queue was forecast ...
    assert report.unstored == ["b", "c", "d"]                  # ... but three could not be stored
    assert "locked" in report.store_error
    assert report.status == "not stored"
    computed = report.forecast().groupby("queue").size()
    assert sorted(computed.index) == QUEUES and computed.nunique() == 1    # nothing computed was lost
    other.execute("ROLLBACK")
    other.close()
    runs, queues, rows = _stored(db)
    assert runs["status"].tolist() == ["running"]              # readers only use complete or partial runs
    assert queues["queue"].tolist() == ["a"] and rows["queue"].tolist() == ["a"]
    start = report.start
    assert store.latest_forecast(db, QUEUES, start, 7) is None
    assert store.latest_forecast(db, ["a"], start, 7) is None


def test_a_lock_released_before_the_end_is_waited_out(tmp_path, history_file, monkeypatch):
    monkeypatch.setattr(store, "LOCK_WAIT_S", 0.2)
    db = tmp_path / "f.sqlite"
    other = sqlite3.connect(db, timeout=5, isolation_level=None)
    calls = []

    def progress(done, total):
        calls.append(done)
        if len(calls) == 1:
            other.execute("BEGIN EXCLUSIVE")
        if len(calls) == 3:
            other.execute("ROLLBACK")

    report = run_batch(history_file, SETTINGS, db, workers=1, progress=progress)
    other.close()
    assert report.unstored == [] and report.status == "complete"
    runs, queues, rows = _stored(db)
    assert runs["status"].tolist() == ["complete"] and sorted(rows["queue"]) == QUEUES


def test_a_full_disk_fails_the_version_and_keeps_no_half_queue(tmp_path, history_file, monkeypatch):
    """SQLite's own 'database or disk is full' (SQLITE_FULL), from a page cap on the writer's connection."""
    real_connect = store.connect

    def small_disk(path):
        conn = real_connect(path)
        pages = conn.execute("PRAGMA page_count").fetchone()[0]
        conn.execute(f"PRAGMA max_page_count = {pages + 3}")
        return conn

    monkeypatch.setattr(store, "connect", small_disk)
    db = tmp_path / "f.sqlite"
    report = run_batch(history_file, SETTINGS, db, workers=1)
    assert not report.failed and report.unstored
    assert "full" in report.store_error
    assert report.status in ("failed", "not stored")
    monkeypatch.setattr(store, "connect", real_connect)
    runs, queues, rows = _stored(db)
    assert runs["status"].tolist()[0] in ("failed", "running")
    expected = report.forecast().groupby("queue").size()
    assert all(n == expected[q] for q, n in zip(rows["queue"], rows["n"]))   # a stored queue is whole
    assert sorted(rows["queue"]) == sorted(set(QUEUES) - set(report.unstored))   # the rest left nothing
    assert store.latest_forecast(db, QUEUES, report.start, 7) is None


def test_the_command_reports_what_the_store_refused_and_exits_3(tmp_path, history_file, monkeypatch, capsys):
    from run_schedule import main

    monkeypatch.setattr(store, "LOCK_WAIT_S", 0.2)
    db = tmp_path / "f.sqlite"
    store.connect(db).close()
    other = sqlite3.connect(db, timeout=5, isolation_level=None)
    real_add = store.RunWriter.add_queue

    def add_then_lock(self, outcome):
        real_add(self, outcome)
        if not other.in_transaction:
            other.execute("BEGIN EXCLUSIVE")

    monkeypatch.setattr(store.RunWriter, "add_queue", add_then_lock)
    out = tmp_path / "forecast.csv"
    code = main(["forecast", "--history", str(history_file), "--timezone", TZ, "--horizon-days", "7",
                 "--origins", "2", "--db", str(db), "--out", str(out), "--workers", "1"])
    printed = capsys.readouterr().out
    other.execute("ROLLBACK")
    other.close()
    assert code == 3
    assert "NOT STORED: 3 queue(s) (b, c, d)" in printed and "locked" in printed
    assert sorted(pd.read_csv(out)["queue"].unique()) == QUEUES


distributed = pytest.importorskip("distributed")


class _KillQueueB:
    """Dask worker plugin: in each worker process, running queue 'b' kills the process."""

    name = "kill-queue-b"

    def setup(self, worker):
        import forecast.batch as worker_batch

        real = worker_batch.run_queue

        def dies_on_b(task, settings, start):
            if task.queue == "b":
                os._exit(137)
            return real(task, settings, start)

        worker_batch.run_queue = dies_on_b

    def teardown(self, worker):
        pass


def test_a_dask_worker_that_dies_loses_only_its_queue(tmp_path, history_file):
    import dask
    from distributed import Client, LocalCluster
    from distributed.diagnostics.plugin import WorkerPlugin

    plugin = type("KillQueueB", (_KillQueueB, WorkerPlugin), {})()
    # One task per worker at a time, so a dying worker takes no innocent queue with it; the scheduler retries
    # the killer once on a fresh worker, then gives it up.
    with dask.config.set({"distributed.scheduler.worker-saturation": 1.0,
                          "distributed.scheduler.allowed-failures": 1}):
        with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                          dashboard_address=None, scheduler_port=0, silence_logs=50) as cluster:
            with Client(cluster.scheduler_address) as client:
                client.register_plugin(plugin)
            report = run_batch(history_file, SETTINGS, tmp_path / "f.sqlite", scheduler=cluster.scheduler_address)
    assert [o.queue for o in report.failed] == ["b"]
    assert "KilledWorker" in report.failed[0].error
    assert sorted(o.queue for o in report.outcomes if o.status == "ok") == ["a", "c", "d"]
    runs, queues, rows = _stored(tmp_path / "f.sqlite")
    assert runs["status"].tolist() == ["partial"] and sorted(rows["queue"]) == ["a", "c", "d"]
