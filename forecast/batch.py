"""The nightly batch: re-forecast every queue of a history file or folder, in parallel, into the store.

Queues are independent, so the unit of work is a chunk of queues: each is
validated, backtested, forecast in a worker and returned as plain data; the
parent writes each result to the store as it arrives. The same chunk function
runs in local processes (default) or on an existing Dask cluster
(`scheduler="tcp://host:port"`), through common.parallel, the one runner the
scenario runs share. A queue with bad data fails alone: its error
is recorded and the others finish.
"""
from __future__ import annotations

import hashlib
import logging
import math
import os
import re
import socket
import sqlite3
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator

import numpy as np
import pandas as pd

from common.errors import InputError
from common.parallel import Lost, connect_dask, run_each
from forecast.api import check_horizon, horizon_dates, make_calendar
from forecast.calendar import SpecialDay
from forecast.engine import FORECAST_COLUMNS, STORED_COLUMNS, ForecastSettings, forecast_panel
from forecast.history import infer_interval_min, read_history_text, validate_history
from forecast.quality import history_gate
from forecast.models.registry import BASELINES, DEFAULT_MODELS
from forecast.panel import build_panel

log = logging.getLogger(__name__)

_DATE = re.compile(r"^\s*(\d{4}-\d{2}-\d{2})")


@dataclass(frozen=True)
class BatchSettings:
    timezone: str
    horizon_days: int = 14
    start: pd.Timestamp | None = None          # None: the day after the latest history day
    holidays: tuple[str, str | None] | None = None
    special_days: tuple[SpecialDay, ...] = ()
    models: tuple[str, ...] = DEFAULT_MODELS
    origins: int = 3
    model: str | None = None
    interval_min: int | None = None             # None: inferred per queue


@dataclass
class QueueTask:
    queue: str
    source: str
    rows: pd.DataFrame | None                   # the queue's rows as strings, index = file row
    error: str | None = None                    # set when the queue cannot even be handed out


@dataclass
class QueueOutcome:
    queue: str
    source: str
    status: str                                 # ok | failed
    model: str | None = None
    frame: pd.DataFrame | None = None           # STORED_COLUMNS
    metrics: pd.DataFrame | None = None         # backtest table
    error: str | None = None
    notes: list[str] = field(default_factory=list)
    loses_to_naive: bool | None = None
    backtest_wape: float | None = None
    naive_wape: float | None = None
    interval_min: int | None = None
    history_start: str | None = None
    history_end: str | None = None
    history_rows: int | None = None
    seconds: float = 0.0
    cpu_seconds: float = 0.0                    # CPU time of this process on it (immune to a busy machine)
    worker: str = ""                            # host:pid that ran it (where to look when one is slow)


@dataclass
class BatchReport:
    version_id: int | None
    status: str
    outcomes: list[QueueOutcome]
    seconds: float
    start: pd.Timestamp
    unstored: list[str] = field(default_factory=list)   # queues forecast but not written (store locked or full)
    store_error: str | None = None                      # why the store refused them

    @property
    def failed(self) -> list[QueueOutcome]:
        return [o for o in self.outcomes if o.status != "ok"]

    def forecast(self) -> pd.DataFrame:
        """The contract frame of every queue that succeeded."""
        frames = [o.frame[FORECAST_COLUMNS] for o in self.outcomes if o.status == "ok" and o.frame is not None]
        if not frames:
            return pd.DataFrame(columns=FORECAST_COLUMNS)
        return pd.concat(frames, ignore_index=True).sort_values(["queue", "start"], kind="stable") \
            .reset_index(drop=True)

    def summary(self) -> pd.DataFrame:
        return pd.DataFrame([{
            "queue": o.queue, "status": o.status, "model": o.model,
            "backtest_wape": o.backtest_wape, "naive_wape": o.naive_wape,
            "flag": "loses to naive" if o.loses_to_naive else "", "error": o.error or "",
            "notes": "; ".join(o.notes)} for o in self.outcomes])


def history_files(path: Path) -> list[Path]:
    """A history CSV, or every *.csv in a folder (sorted, so runs are reproducible)."""
    path = Path(path)
    if path.is_dir():
        files = sorted(p for p in path.glob("*.csv") if p.is_file())
        if not files:
            raise InputError(str(path), "the history folder has no .csv files", "put one history CSV per site in it")
        return files
    if not path.exists():
        raise InputError(str(path), "the history file does not exist",
                         "check the path, or pass the right file with --history")
    return [path]


def make_tasks(files: list[Path]) -> tuple[list[QueueTask], str, str]:
    """Read each file once as text and cut it into per-queue tasks; also the data hash and last date."""
    tasks: dict[str, QueueTask] = {}
    digest = hashlib.sha256()
    last = ""
    for path in files:
        digest.update(path.read_bytes())
        text = read_history_text(path)
        dates = text["start"].astype(str).str.extract(_DATE, expand=False).dropna()
        if len(dates):
            last = max(last, str(dates.max()))
        for queue, rows in text.groupby(text["queue"].astype(str).str.strip(), sort=True):
            queue = str(queue)
            if queue in tasks:
                first = tasks[queue].source
                tasks[queue] = QueueTask(queue, str(path), None,
                                         error=f"queue '{queue}' appears in both {first} and {path}; "
                                               "keep each queue in one history file")
                continue
            tasks[queue] = QueueTask(queue, str(path), rows)
    return list(tasks.values()), digest.hexdigest(), last


def default_start(last_date: str, timezone: str) -> pd.Timestamp:
    if not last_date:
        raise InputError("history", "no row has a start date", "write starts in ISO 8601, e.g. 2024-03-04 08:30")
    return pd.Timestamp(last_date).tz_localize(timezone) + pd.Timedelta(days=1)


def run_queue(task: QueueTask, settings: BatchSettings, start: pd.Timestamp) -> QueueOutcome:
    """Validate, backtest and forecast one queue; any failure becomes a failed outcome, never an exception."""
    t0 = time.perf_counter()
    c0 = time.process_time()
    outcome = QueueOutcome(task.queue, task.source, "failed", worker=f"{socket.gethostname()}:{os.getpid()}")
    try:
        if task.error:
            raise InputError(task.source, task.error)
        history = validate_history(task.rows, Path(task.source), settings.timezone)
        outcome.history_rows = len(history)
        outcome.history_start = history["start"].min().isoformat()
        outcome.history_end = history["start"].max().isoformat()
        interval = settings.interval_min or infer_interval_min(history, where=f"{task.source} queue '{task.queue}'")
        outcome.interval_min = interval
        # Data that parses but makes no sense fails this queue alone; warnings go with its forecast as notes.
        warnings = history_gate(history, Path(task.source), settings.timezone, interval, forecast_only=True)
        outcome.notes = [f"{f.code}: {f.what}" for f in warnings]
        check_horizon(history, start, settings.horizon_days, settings.timezone)
        calendar = make_calendar(settings.holidays, settings.special_days)
        panel = build_panel(history, task.queue, interval, calendar)
        forecast_settings = ForecastSettings(start=start, days=settings.horizon_days, timezone=settings.timezone,
                                             models=settings.models, origins=settings.origins, model=settings.model)
        result = forecast_panel(panel, forecast_settings, horizon_dates(start, settings.horizon_days,
                                                                        settings.timezone))
        outcome.status = "ok"
        outcome.model = result.model
        outcome.frame = result.frame[STORED_COLUMNS]
        outcome.metrics = result.backtest.metrics
        outcome.notes = outcome.notes + list(result.notes)
        outcome.loses_to_naive = result.backtest.loses_to_naive
        table = result.backtest.metrics
        if len(table):
            overall = table[table["horizon_day"] == 0].set_index("model")["wape"]
            outcome.backtest_wape = float(overall.get(result.model, np.nan))
            outcome.naive_wape = float(overall.get(BASELINES[0], np.nan))
    except InputError as exc:
        outcome.error = exc.message
    except Exception as exc:   # a bug on one queue's data must not stop the night's run
        outcome.error = f"{type(exc).__name__}: {exc}"
        log.debug("queue %s failed:\n%s", task.queue, traceback.format_exc())
    outcome.seconds = time.perf_counter() - t0
    outcome.cpu_seconds = time.process_time() - c0
    return outcome


def run_chunk(tasks: list[QueueTask], settings: BatchSettings, start: pd.Timestamp) -> list[QueueOutcome]:
    """The unit shipped to a process or Dask worker."""
    import warnings

    from forecast.threads import blas_threads

    warnings.simplefilter("ignore")
    with blas_threads(1):
        return [run_queue(task, settings, start) for task in tasks]


def chunked(tasks: list[QueueTask], workers: int) -> list[list[QueueTask]]:
    """Chunks small enough to balance the load, big enough to amortise shipping them."""
    size = max(1, min(25, math.ceil(len(tasks) / max(1, workers * 4))))
    return [tasks[i:i + size] for i in range(0, len(tasks), size)]


def execute(chunks: list[list[QueueTask]], settings: BatchSettings, start: pd.Timestamp,
            client, workers: int) -> Iterator[list[QueueOutcome]]:
    """Run chunks on the Dask client if given, else in local processes; yield outcomes as they finish."""
    for index, result in run_each(run_chunk, chunks, client=client, workers=workers, settings=settings, start=start):
        yield _lost(chunks[index], result.error) if isinstance(result, Lost) else result


def _lost(chunk: list[QueueTask], error: str) -> list[QueueOutcome]:
    return [QueueOutcome(t.queue, t.source, "failed", error=error) for t in chunk]


def run_batch(history: Path, settings: BatchSettings, db_path: Path | None, *, scheduler: str | None = None,
              workers: int | None = None,
              progress: Callable[[int, int], None] | None = None) -> BatchReport:
    """Forecast every queue in `history` (file or folder) and store the run as a new version in `db_path`."""
    from forecast.store import RunWriter

    t0 = time.perf_counter()
    files = history_files(history)
    tasks, digest, last = make_tasks(files)
    start = pd.Timestamp(settings.start) if settings.start is not None else default_start(last, settings.timezone)
    if start.tzinfo is None:
        start = start.tz_localize(settings.timezone)
    workers = workers or os.cpu_count() or 1
    client = connect_dask(scheduler) if scheduler else None
    if client is not None:
        workers = max(1, len(client.scheduler_info().get("workers", {})))
    executor = scheduler or f"local:{workers} processes"
    writer = None
    version_id = None
    if db_path is not None:
        try:
            writer = RunWriter(db_path)
            version_id = writer.begin(
            history_source=", ".join(str(f) for f in files), history_sha256=digest, timezone=settings.timezone,
            start=start, days=settings.horizon_days, models=settings.models, origins=settings.origins,
            executor=executor, settings={"holidays": settings.holidays, "model": settings.model,
                                         "special_days": [(str(s.date), s.name, s.effect, list(s.queues))
                                                          for s in settings.special_days],
                                         "interval_min": settings.interval_min})
        except sqlite3.Error as exc:     # before any work: a planner's problem, not a traceback
            raise InputError(str(db_path), f"the forecast store cannot be written ({exc})",
                             "wait for the other process using it, free disk space, or pass --db elsewhere "
                             "(or --no-store)") from None
    log.info("forecasting %d queue(s) from %s, %d day(s) from %s, on %s", len(tasks), history,
             settings.horizon_days, start.date(), executor)
    outcomes: list[QueueOutcome] = []
    pending: list[QueueOutcome] = []     # computed, but the store refused them: retried once at the end
    store_error: str | None = None
    done = 0
    try:
        for chunk_outcomes in execute(chunked(tasks, workers), settings, start, client, workers):
            for outcome in chunk_outcomes:
                outcomes.append(outcome)
                if writer is not None:
                    try:
                        writer.add_queue(outcome)       # one transaction per queue: all of it or none
                    except sqlite3.Error as exc:        # locked past the wait, or the disk is full
                        pending.append(outcome)
                        store_error = str(exc)
                        log.warning("queue %s could not be stored (%s); retried at the end", outcome.queue, exc)
                if outcome.status != "ok":
                    log.warning("queue %s failed: %s", outcome.queue, outcome.error)
            done += len(chunk_outcomes)
            if progress:
                progress(done, len(tasks))
            elif done == len(tasks) or done % max(1, len(tasks) // 10) < len(chunk_outcomes):
                log.info("%d/%d queues done (%.0fs)", done, len(tasks), time.perf_counter() - t0)
    except BaseException:
        if writer is not None:
            writer.abort(time.perf_counter() - t0)   # never leave a version that looks usable
        raise
    finally:
        if client is not None:
            client.close()
    outcomes.sort(key=lambda o: o.queue)
    seconds = time.perf_counter() - t0
    if writer is not None:
        status, pending, store_error = _close_store(writer, pending, store_error, seconds)
    else:
        failed = sum(o.status != "ok" for o in outcomes)
        status = "complete" if not failed else ("failed" if failed == len(outcomes) else "partial")
    return BatchReport(version_id, status, outcomes, seconds, start, sorted(o.queue for o in pending), store_error)


def _close_store(writer, pending: list[QueueOutcome], error: str | None,
                 seconds: float) -> tuple[str, list[QueueOutcome], str | None]:
    """Write what the store refused during the run, then finish the version; a version missing a queue it
    computed is marked failed (readers never use it) rather than complete."""
    left = list(pending)
    for outcome in pending:
        try:
            writer.add_queue(outcome)
            left.remove(outcome)
        except sqlite3.Error as exc:
            error = str(exc)
            break
    try:
        if not left:
            return writer.finish(seconds), [], error if pending else None
        writer.abort(seconds)
        return "failed", left, error
    except sqlite3.Error as exc:     # could not even mark it: it stays 'running', which no reader uses
        log.warning("could not close version %s in the store (%s)", writer.version_id, exc)
        return "not stored", left, str(exc)
    finally:
        writer.conn.close()
