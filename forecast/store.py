"""The forecast store: every batch run is a version, kept in one SQLite file.

SQLite rather than DuckDB: it is in the standard library (no new dependency
for every install), a nightly batch is a single writer, and WAL mode lets
`plan` read the latest version while a run is writing the next. Reads are
point lookups by (queue, version, time range) that the primary keys serve;
nothing here needs a columnar engine.

A run is written queue by queue as results arrive and marked `running` until
it finishes, so readers never see half a version: they only look at runs
whose status is `complete` (every queue ok) or `partial` (some failed), and
per queue only at rows whose status is `ok`.
"""
from __future__ import annotations

import datetime as dt
import json
import sqlite3
from contextlib import closing
from pathlib import Path
from typing import Iterable

import numpy as np
import pandas as pd

from common.errors import InputError
from forecast.engine import FORECAST_COLUMNS

DEFAULT_DB = Path("out") / "forecasts.sqlite"
LOCK_WAIT_S = 60.0      # how long a writer waits for another process's lock before giving up

SCHEMA = """
CREATE TABLE IF NOT EXISTS forecast_run (
    version_id        INTEGER PRIMARY KEY AUTOINCREMENT,
    created_at        TEXT    NOT NULL,   -- UTC ISO 8601, when the run started
    finished_at       TEXT,               -- UTC ISO 8601, NULL while running
    status            TEXT    NOT NULL,   -- running | complete | partial | failed
    history_source    TEXT    NOT NULL,   -- file(s) the run read
    history_sha256    TEXT,               -- their content hash: same data, same hash
    timezone          TEXT    NOT NULL,
    horizon_start     TEXT    NOT NULL,   -- first forecast day, local ISO date
    horizon_days      INTEGER NOT NULL,
    horizon_start_utc INTEGER NOT NULL,   -- [start, end) of the horizon, epoch seconds
    horizon_end_utc   INTEGER NOT NULL,
    models            TEXT    NOT NULL,   -- candidate models, comma-separated
    origins           INTEGER NOT NULL,   -- backtest origins per queue
    executor          TEXT    NOT NULL,   -- 'local:N processes' or the Dask scheduler address
    queues_ok         INTEGER NOT NULL DEFAULT 0,
    queues_failed     INTEGER NOT NULL DEFAULT 0,
    seconds           REAL,
    intervals_pruned  INTEGER NOT NULL DEFAULT 0,  -- 1 once its interval rows were dropped (retention)
    settings          TEXT                -- JSON of anything else that shaped the run
);
CREATE TABLE IF NOT EXISTS forecast_queue (
    version_id     INTEGER NOT NULL REFERENCES forecast_run(version_id) ON DELETE CASCADE,
    queue          TEXT    NOT NULL,
    status         TEXT    NOT NULL,      -- ok | failed
    model          TEXT,                  -- chosen model (NULL when failed)
    interval_min   INTEGER,
    error          TEXT,                  -- why it failed, as the planner should read it
    notes          TEXT,                  -- e.g. 'history too short to backtest'
    loses_to_naive INTEGER,               -- 1 when no model beat seasonal naive in the backtest
    backtest_wape  REAL,                  -- chosen model, all horizon days
    naive_wape     REAL,                  -- seasonal naive on the same origins
    history_start  TEXT, history_end TEXT, history_rows INTEGER,
    seconds        REAL,
    PRIMARY KEY (version_id, queue)
);
CREATE INDEX IF NOT EXISTS forecast_queue_by_queue ON forecast_queue(queue, status, version_id);
CREATE TABLE IF NOT EXISTS forecast_interval (
    version_id    INTEGER NOT NULL,
    queue         TEXT    NOT NULL,
    start_utc     INTEGER NOT NULL,       -- interval start, epoch seconds
    contacts      REAL NOT NULL,
    contacts_lo   REAL NOT NULL,          -- 80% prediction interval
    contacts_hi   REAL NOT NULL,
    contacts_lo95 REAL,                   -- 95% prediction interval
    contacts_hi95 REAL,
    aht_s         REAL,
    PRIMARY KEY (version_id, queue, start_utc)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS backtest_metric (
    version_id     INTEGER NOT NULL,
    queue          TEXT    NOT NULL,
    model          TEXT    NOT NULL,
    horizon_day    INTEGER NOT NULL,      -- 1 = first forecast day; 0 = all days together
    wape REAL, mase REAL, bias REAL, coverage80 REAL, coverage95 REAL,
    n_origins      INTEGER, n_points INTEGER,
    chosen         INTEGER NOT NULL,      -- 1 for the model the run used
    loses_to_naive INTEGER NOT NULL,      -- 1 when its WAPE is worse than seasonal naive's
    PRIMARY KEY (version_id, queue, model, horizon_day)
) WITHOUT ROWID;
"""


def connect(db_path: Path) -> sqlite3.Connection:
    db_path = Path(db_path)
    db_path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(db_path, timeout=LOCK_WAIT_S)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute("PRAGMA foreign_keys=ON")
    conn.executescript(SCHEMA)
    return conn


def _utc_now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


def _epoch(ts: pd.Timestamp) -> int:
    return int(pd.Timestamp(ts).tz_convert("UTC").timestamp())


def horizon_bounds(start: pd.Timestamp, days: int, timezone: str) -> tuple[pd.Timestamp, pd.Timestamp]:
    """[start, start + days local days) as tz-aware times (naive start = local wall time)."""
    start = pd.Timestamp(start)
    wall = start.tz_convert(timezone).tz_localize(None) if start.tzinfo else start
    first = wall.tz_localize(timezone, ambiguous=True, nonexistent="shift_forward")
    end = (wall + pd.Timedelta(days=days)).tz_localize(timezone, ambiguous=True, nonexistent="shift_forward")
    return first, end


class RunWriter:
    """Writes one version: begin(), add_queue() as results arrive, finish()."""

    def __init__(self, db_path: Path):
        self.conn = connect(db_path)
        self.version_id: int | None = None
        self.ok = 0
        self.failed = 0

    def begin(self, *, history_source: str, history_sha256: str | None, timezone: str, start: pd.Timestamp,
              days: int, models: Iterable[str], origins: int, executor: str, settings: dict) -> int:
        first, end = horizon_bounds(start, days, timezone)
        with self.conn:
            cur = self.conn.execute(
                "INSERT INTO forecast_run (created_at, status, history_source, history_sha256, timezone, "
                "horizon_start, horizon_days, horizon_start_utc, horizon_end_utc, models, origins, executor, "
                "settings) VALUES (?, 'running', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (_utc_now(), history_source, history_sha256, timezone, first.date().isoformat(), days,
                 _epoch(first), _epoch(end), ",".join(models), origins, executor, json.dumps(settings)))
        self.version_id = int(cur.lastrowid)
        return self.version_id

    def add_queue(self, outcome) -> None:
        """Store one queue's outcome (a batch.QueueOutcome) in its own transaction."""
        v = self.version_id
        with self.conn:
            self.conn.execute(
                "INSERT INTO forecast_queue (version_id, queue, status, model, interval_min, error, notes, "
                "loses_to_naive, backtest_wape, naive_wape, history_start, history_end, history_rows, seconds) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (v, outcome.queue, outcome.status, outcome.model, outcome.interval_min, outcome.error,
                 "; ".join(outcome.notes) or None, None if outcome.loses_to_naive is None else int(outcome.loses_to_naive),
                 _float(outcome.backtest_wape), _float(outcome.naive_wape), outcome.history_start,
                 outcome.history_end, outcome.history_rows, outcome.seconds))
            if outcome.status != "ok":
                self.failed += 1
                return
            self.ok += 1
            f = outcome.frame
            if len(f):
                starts = (f["start"].dt.tz_convert("UTC").dt.as_unit("s").astype("int64")).to_numpy()
                rows = zip([v] * len(f), [outcome.queue] * len(f), starts.tolist(),
                           *(f[c].astype(float).tolist() for c in
                             ("contacts", "contacts_lo", "contacts_hi", "contacts_lo95", "contacts_hi95")),
                           [None if not np.isfinite(x) else x for x in f["aht_s"].astype(float).tolist()])
                self.conn.executemany("INSERT INTO forecast_interval VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
            m = outcome.metrics
            if m is not None and len(m):
                cols = ["queue", "model", "horizon_day", "wape", "mase", "bias", "coverage80", "coverage95",
                        "n_origins", "n_points", "chosen", "loses_to_naive"]
                records = [(v, r[0], r[1], int(r[2]), *(_float(x) for x in r[3:8]), int(r[8]), int(r[9]),
                            int(bool(r[10])), int(bool(r[11])))
                           for r in m[cols].itertuples(index=False, name=None)]
                self.conn.executemany("INSERT INTO backtest_metric VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                                      records)

    def abort(self, seconds: float) -> None:
        """Mark an interrupted run failed, so no reader ever uses it."""
        with self.conn:
            self.conn.execute("UPDATE forecast_run SET status = 'failed', finished_at = ?, queues_ok = ?, "
                              "queues_failed = ?, seconds = ? WHERE version_id = ?",
                              (_utc_now(), self.ok, self.failed, seconds, self.version_id))
        self.conn.close()

    def finish(self, seconds: float) -> str:
        status = "complete" if self.failed == 0 and self.ok > 0 else ("failed" if self.ok == 0 else "partial")
        with self.conn:
            self.conn.execute("UPDATE forecast_run SET status = ?, finished_at = ?, queues_ok = ?, "
                              "queues_failed = ?, seconds = ? WHERE version_id = ?",
                              (status, _utc_now(), self.ok, self.failed, seconds, self.version_id))
        self.conn.close()
        return status


def _float(x) -> float | None:
    if x is None:
        return None
    x = float(x)
    return x if np.isfinite(x) else None


def latest_forecast(db_path: Path, queues: Iterable[str], start: pd.Timestamp, days: int) -> pd.DataFrame | None:
    """The newest stored forecast for each queue covering [start, start + days local days), or None.

    Per queue, the newest version (highest version_id) of a finished run in
    which that queue succeeded and whose horizon covers the whole window; so a
    queue that failed last night falls back to its previous version. Returns
    None when the store does not exist or any queue has no such version (the
    caller then forecasts from history). Columns: the forecast contract plus
    `version_id`; `start` is tz-aware in the run's timezone.
    """
    db_path = Path(db_path)
    if not db_path.exists():
        return None
    queues = list(dict.fromkeys(str(q) for q in queues))
    frames = []
    with closing(connect(db_path)) as conn:
        for queue in queues:
            tz = conn.execute(
                "SELECT r.timezone FROM forecast_run r JOIN forecast_queue q USING (version_id) "
                "WHERE q.queue = ? AND q.status = 'ok' AND r.status IN ('complete', 'partial') "
                "ORDER BY r.version_id DESC LIMIT 1", (queue,)).fetchone()
            if tz is None:
                return None
            first, end = horizon_bounds(start, days, tz[0])
            row = conn.execute(
                "SELECT r.version_id, r.timezone, q.model FROM forecast_run r JOIN forecast_queue q USING (version_id) "
                "WHERE q.queue = ? AND q.status = 'ok' AND r.status IN ('complete', 'partial') "
                "AND r.intervals_pruned = 0 AND r.horizon_start_utc <= ? AND r.horizon_end_utc >= ? "
                "ORDER BY r.version_id DESC LIMIT 1", (queue, _epoch(first), _epoch(end))).fetchone()
            if row is None:
                return None
            version_id, timezone, model = row
            data = pd.read_sql_query(
                "SELECT start_utc, contacts, contacts_lo, contacts_hi, aht_s FROM forecast_interval "
                "WHERE version_id = ? AND queue = ? AND start_utc >= ? AND start_utc < ? ORDER BY start_utc",
                conn, params=(version_id, queue, _epoch(first), _epoch(end)))
            data.insert(0, "queue", queue)
            data.insert(1, "start", pd.to_datetime(data.pop("start_utc"), unit="s", utc=True).dt.tz_convert(timezone))
            data["model"] = model
            data["version_id"] = version_id
            frames.append(data)
    if not frames:
        return None
    out = pd.concat(frames, ignore_index=True)
    return out[FORECAST_COLUMNS + ["version_id"]]


def prune_intervals(db_path: Path, keep: int) -> int:
    """Drop the interval rows of all but the `keep` newest finished runs; returns versions pruned.

    Run, queue and backtest rows stay forever (they are the accuracy log and
    are small); the interval rows are ~99% of the file (about 65 MB a night
    for 1,000 queues × 14 days × 15 minutes).
    """
    with closing(connect(db_path)) as conn, conn:
        old = [v for (v,) in conn.execute(
            "SELECT version_id FROM forecast_run WHERE status != 'running' ORDER BY version_id DESC "
            "LIMIT -1 OFFSET ?", (keep,))]
        old = [v for v in old if conn.execute("SELECT intervals_pruned FROM forecast_run WHERE version_id = ?",
                                              (v,)).fetchone()[0] == 0]
        for version_id in old:
            conn.execute("DELETE FROM forecast_interval WHERE version_id = ?", (version_id,))
            conn.execute("UPDATE forecast_run SET intervals_pruned = 1 WHERE version_id = ?", (version_id,))
        return len(old)


def list_versions(db_path: Path) -> pd.DataFrame:
    """One row per run: when, what, how it went, and the mean backtest WAPE of the chosen models."""
    if not Path(db_path).exists():
        raise InputError(str(db_path), "the forecast store does not exist", "run `run_schedule.py forecast` first")
    with closing(connect(db_path)) as conn:
        return pd.read_sql_query(
            "SELECT r.version_id, r.created_at, r.status, r.horizon_start, r.horizon_days, r.queues_ok, "
            "r.queues_failed, ROUND(r.seconds, 1) AS seconds, ROUND(AVG(q.backtest_wape), 4) AS mean_wape, "
            "SUM(q.loses_to_naive) AS flagged, r.history_source FROM forecast_run r "
            "LEFT JOIN forecast_queue q USING (version_id) GROUP BY r.version_id ORDER BY r.version_id", conn)


def compare_versions(db_path: Path, old: int, new: int) -> pd.DataFrame:
    """Per queue: model, backtest WAPE and forecast total over the versions' common horizon, side by side."""
    with closing(connect(db_path)) as conn:
        ids = {v for (v,) in conn.execute("SELECT version_id FROM forecast_run WHERE version_id IN (?, ?)", (old, new))}
        missing = [v for v in (old, new) if v not in ids]
        if missing:
            raise InputError(str(db_path), f"no forecast version {missing[0]}",
                             "list the versions with `run_schedule.py forecast --versions`")
        return pd.read_sql_query(
            "WITH span AS (SELECT MAX(horizon_start_utc) AS lo, MIN(horizon_end_utc) AS hi FROM forecast_run "
            "              WHERE version_id IN (:a, :b)), "
            "tot AS (SELECT version_id, queue, SUM(contacts) AS contacts FROM forecast_interval, span "
            "        WHERE version_id IN (:a, :b) AND start_utc >= span.lo AND start_utc < span.hi "
            "        GROUP BY version_id, queue) "
            "SELECT q.queue, q.model AS model_old, n.model AS model_new, "
            "ROUND(q.backtest_wape, 4) AS wape_old, ROUND(n.backtest_wape, 4) AS wape_new, "
            "ROUND(t1.contacts, 1) AS contacts_old, ROUND(t2.contacts, 1) AS contacts_new "
            "FROM forecast_queue q JOIN forecast_queue n ON n.queue = q.queue AND n.version_id = :b "
            "LEFT JOIN tot t1 ON t1.version_id = :a AND t1.queue = q.queue "
            "LEFT JOIN tot t2 ON t2.version_id = :b AND t2.queue = q.queue "
            "WHERE q.version_id = :a ORDER BY q.queue", conn, params={"a": old, "b": new})


def stored_accuracy(db_path: Path, versions: dict[str, int]) -> pd.DataFrame:
    """Per queue, the model and backtest accuracy the stored version recorded (for the plan report)."""
    rows = []
    with closing(connect(Path(db_path))) as conn:
        for queue, version in sorted(versions.items()):
            row = conn.execute(
                "SELECT q.model, q.backtest_wape, q.naive_wape, q.loses_to_naive, "
                "(SELECT m.coverage80 FROM backtest_metric m WHERE m.version_id = q.version_id AND m.queue = q.queue "
                " AND m.chosen = 1 AND m.horizon_day = 0) "
                "FROM forecast_queue q WHERE q.version_id = ? AND q.queue = ?", (int(version), queue)).fetchone()
            if row is not None:
                rows.append({"queue": queue, "model": row[0], "backtest_wape": _float(row[1]),
                             "naive_wape": _float(row[2]), "coverage80": _float(row[4]),
                             "loses_to_naive": bool(row[3]), "version": int(version)})
    return pd.DataFrame(rows, columns=["queue", "model", "backtest_wape", "naive_wape", "coverage80",
                                       "loses_to_naive", "version"])
