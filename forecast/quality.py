"""Checks on a history that parsed: is it data a forecast can stand on? (the history part of the data-quality gate)

Every check is vectorised per queue (a nightly batch has thousands) and names the
first offending row of the file, so a planner can go straight to it.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

from common.quality import WARNING, Finding, escalate, finding, raise_errors

STRAY_GAP_DAYS = 28        # rows further than this from the rest of a queue's history ...
STRAY_MAX_DAYS = 7         # ... on fewer days than this are strays (a typo'd year, a test row)
MISSING_WEEK_DAYS = 8      # a gap this long has a whole week without any row
MIN_DAYS = 7               # one of each weekday: the least a weekly profile needs
GOOD_DAYS = 21             # ETS, calendar regression and the ensemble need this much (forecast/models/registry.py)
BACKTEST_DAYS = 56         # eight weeks: a backtest over several origins
OUTLIER_FACTOR = 5.0       # an interval above 5 x the queue's 99th percentile ...
OUTLIER_MIN = 20.0         # ... and at least this many contacts
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")   # as the site YAML names them


class RowFinder:
    """The file row of (queue, start), found by reading the file again only when a finding needs it."""

    def __init__(self, path: Path | None, timezone: str):
        self.path, self.timezone = path, timezone
        self._starts: pd.DataFrame | None = None

    def __call__(self, queue: str, start: pd.Timestamp) -> str:
        label = f"queue '{queue}', interval {start.isoformat()}"
        if self.path is None:
            return f"history, {label}"
        try:
            if self._starts is None:
                from forecast.history import _parse_starts, read_history_text

                text = read_history_text(self.path)
                queues = text["queue"].astype(str).str.strip()
                self._starts = pd.DataFrame({"queue": queues,
                                             "start": _parse_starts(text["start"], self.path, self.timezone, queues)})
            hit = self._starts[(self._starts["queue"] == queue) & (self._starts["start"] == start)]
        except Exception:   # the label without a row is still findable
            return f"{self.path}, {label}"
        if hit.empty:
            return f"{self.path}, {label}"
        return f"{self.path} row {int(hit.index[0]) + 2} ({label})"


def _local(history: pd.DataFrame, timezone: str) -> pd.Series:
    return history["start"].dt.tz_convert(timezone)


def check_history(history: pd.DataFrame, path: Path | None, timezone: str, *, interval_min: int | None,
                  hours: dict[str, dict] | None = None, today: dt.date | None = None,
                  rows: RowFinder | None = None) -> list[Finding]:
    """Findings on a validated history frame (queue, start, contacts[, aht_s, ...]).

    interval_min: the grid starts must be on (None: not checked); hours: opening hours per queue (None: not
    checked, else weekday name -> object with open_min/close_min); today: rows after it are in the future (None:
    the real date in `timezone`).
    """
    rows = rows or RowFinder(path, timezone)
    name = str(path) if path is not None else "history"
    today = today or dt.datetime.now(ZoneInfo(timezone)).date()
    out: list[Finding] = []
    local = _local(history, timezone)
    if "aht_s" not in history.columns:
        out.append(finding("history-aht-missing", f"{name}, header", "the history has no 'aht_s' column",
                           "staffing scales with handle time; without it every queue would be planned at an "
                           "assumed 300 s, which can be wrong by a factor of two either way",
                           "add an 'aht_s' column (mean handle time in seconds per interval; if you only know "
                           "one figure per queue, write it on every row)"))
    for queue, part in history.groupby("queue", sort=True):
        queue = str(queue)
        starts = local.loc[part.index]
        out += _dates(queue, part, starts, name, today, rows)
        out += _levels(queue, part, name, rows)
        if interval_min:
            out += _grid(queue, part, starts, interval_min, rows)
        if hours is not None and queue in hours:
            out += _closed(queue, part, starts, hours[queue], rows)
        if "aht_s" in part and part["aht_s"].isna().all() and (part["contacts"] > 0).any():
            out.append(finding("history-aht-missing", f"{name}, queue '{queue}', column 'aht_s'",
                               "every aht_s cell of the queue is blank",
                               "its staffing would rest on an assumed 300 s handle time",
                               "fill in aht_s for the queue's intervals (its mean handle time in seconds)"))
    return out


def _dates(queue: str, part: pd.DataFrame, starts: pd.Series, name: str, today: dt.date,
           rows: RowFinder) -> list[Finding]:
    out = []
    future = (starts.dt.date > today).to_numpy()
    if future.any():
        first = int(np.flatnonzero(future)[0])
        out.append(finding("history-future", rows(queue, part["start"].iloc[first]),
                           f"starts {starts.iloc[first]:%Y-%m-%d %H:%M}, after today ({today})"
                           + (f"; {int(future.sum()) - 1} more row(s) of queue '{queue}' too" if future.sum() > 1 else ""),
                           "the plan's week follows the newest history row, so one future row moves the whole "
                           "plan (and the forecast) to the wrong dates",
                           "delete the row(s) or correct their date (often a mistyped year)"))
    days = np.array(sorted(set(starts.dt.date)), dtype="datetime64[D]")
    if len(days) > 1:
        gaps = np.diff(days).astype(int)
        cuts = np.flatnonzero(gaps > STRAY_GAP_DAYS)
        segments = np.split(days, cuts + 1)
        main = max(range(len(segments)), key=lambda k: len(segments[k]))
        for k, segment in enumerate(segments):
            if k == main or len(segment) >= STRAY_MAX_DAYS:
                continue
            first_day = segment[0].astype(dt.date)
            hit = int(np.flatnonzero((starts.dt.date == first_day).to_numpy())[0])
            rest = segments[main]
            out.append(finding("history-stray-rows", rows(queue, part["start"].iloc[hit]),
                               f"queue '{queue}' has {len(segment)} day(s) of rows from {first_day}, "
                               f"{_distance(segment, rest)} days away from the rest of its history "
                               f"({rest[0]} to {rest[-1]})",
                               "a stray row decides where the history ends (and so which week is planned) and "
                               "stretches the models over a long empty stretch",
                               "delete the stray row(s) or correct their date"))
        holes = [(days[i], days[i + 1]) for i in np.flatnonzero((gaps >= MISSING_WEEK_DAYS) & (gaps <= STRAY_GAP_DAYS))]
        if holes:
            a, b = holes[0]
            more = f" ({len(holes) - 1} more gap(s))" if len(holes) > 1 else ""
            out.append(finding("history-weeks-missing", f"{name}, queue '{queue}'",
                               f"no rows from {a + 1} to {b - 1} ({int((b - a).astype(int)) - 1} days){more}",
                               "the models read missing weeks as a closed site or lose a season; the forecast and "
                               "its backtest get worse",
                               "export the missing weeks; if the site really was closed, nothing to do"))
    span = int((days[-1] - days[0]).astype(int)) + 1 if len(days) else 0
    if span < MIN_DAYS:
        out.append(finding("history-too-short", f"{name}, queue '{queue}'",
                           f"only {span} day(s) of history ({days[0]} to {days[-1]})",
                           "a weekday never seen in the history is forecast as closed (zero contacts); the models "
                           f"need at least {MIN_DAYS} days (each weekday once), {GOOD_DAYS} days for ETS and the "
                           f"calendar models, {BACKTEST_DAYS} days for a backtest worth trusting",
                           f"export at least {GOOD_DAYS} days of interval history (8 weeks or more is best)"))
    elif span < GOOD_DAYS:
        out.append(finding("history-short", f"{name}, queue '{queue}'",
                           f"only {span} days of history ({days[0]} to {days[-1]})",
                           f"with under {GOOD_DAYS} days only the seasonal baselines and the weekday average are "
                           f"tried, and under 14 days the forecast cannot be backtested; {BACKTEST_DAYS} days "
                           "give a backtest worth trusting",
                           f"export more history ({GOOD_DAYS} days at least, 8 weeks or more is best)"))
    return out


def _distance(segment: np.ndarray, rest: np.ndarray) -> int:
    if segment[0] > rest[-1]:
        return int((segment[0] - rest[-1]).astype(int))
    return int((rest[0] - segment[-1]).astype(int))


def _levels(queue: str, part: pd.DataFrame, name: str, rows: RowFinder) -> list[Finding]:
    contacts = part["contacts"].to_numpy(dtype=float)
    if not (contacts > 0).any():
        return [finding("history-all-zero", f"{name}, queue '{queue}', column 'contacts'",
                        f"all {len(contacts)} intervals have 0 contacts",
                        "the forecast is zero, no agent is needed, and the report shows a 100% service level "
                        "for a queue nobody will answer",
                        "check the export (a wrong queue id or a filter); remove the queue if it is really unused")]
    out = []
    if len(contacts) >= 2 and np.all(contacts == contacts[0]):
        out.append(finding("history-constant", f"{name}, queue '{queue}', column 'contacts'",
                           f"every interval has exactly {contacts[0]:g} contacts",
                           "real queues vary by hour and weekday; a constant looks like a placeholder or a fill "
                           "value, and the plan will be as flat as it",
                           "export the queue's real interval counts"))
    p99 = float(np.quantile(contacts, 0.99))
    limit = max(OUTLIER_FACTOR * p99, OUTLIER_MIN)
    over = contacts > limit
    if over.any():
        first = int(np.flatnonzero(over)[0])
        out.append(finding("history-outlier", rows(queue, part["start"].iloc[first]),
                           f"{contacts[first]:g} contacts, more than {OUTLIER_FACTOR:g} x the queue's 99th "
                           f"percentile ({p99:g})" + (f"; {int(over.sum()) - 1} more such interval(s)" if over.sum() > 1 else ""),
                           "one huge interval lifts the forecast (and the agents required) for that weekday and "
                           "time for weeks",
                           "correct the value if it is a typo (an extra digit, a total row); if it was a real "
                           "one-off event, mark the day in special_days"))
    return out


def _grid(queue: str, part: pd.DataFrame, starts: pd.Series, interval_min: int, rows: RowFinder) -> list[Finding]:
    minute = (starts.dt.hour * 60 + starts.dt.minute).to_numpy()
    off = (minute % interval_min != 0) | (starts.dt.second.to_numpy() != 0)
    if not off.any():
        return []
    first = int(np.flatnonzero(off)[0])
    return [finding("history-off-grid", rows(queue, part["start"].iloc[first]),
                    f"starts at {starts.iloc[first]:%H:%M:%S}, not on the {interval_min}-minute grid"
                    + (f"; {int(off.sum()) - 1} more such row(s) in queue '{queue}'" if off.sum() > 1 else ""),
                    "contacts in an off-grid row fall between the intervals the forecast and staffing use",
                    f"write interval starts on the grid (:00, :{interval_min:02d}, ...), or add the row to the "
                    "interval it belongs to")]


def _closed(queue: str, part: pd.DataFrame, starts: pd.Series, hours: dict,
            rows: RowFinder) -> list[Finding]:
    weekday = starts.dt.day_of_week.to_numpy()
    minute = (starts.dt.hour * 60 + starts.dt.minute).to_numpy()
    open_at = np.full(len(part), -1)
    close_at = np.full(len(part), -1)
    for index, day in enumerate(WEEKDAYS):
        window = hours.get(day)
        if window is not None:
            open_at[weekday == index] = window.open_min
            close_at[weekday == index] = window.close_min
    closed = ((minute < open_at) | (minute >= close_at)) & (part["contacts"].to_numpy() > 0)
    if not closed.any():
        return []
    first = int(np.flatnonzero(closed)[0])
    share = part["contacts"].to_numpy()[closed].sum() / max(part["contacts"].sum(), 1e-9)
    return [finding("history-closed-contacts", rows(queue, part["start"].iloc[first]),
                    f"{part['contacts'].iloc[first]:g} contacts at {starts.iloc[first]:%a %H:%M}, when the site "
                    f"YAML says queue '{queue}' is closed; {int(closed.sum())} such interval(s), "
                    f"{share:.1%} of the queue's contacts",
                    "contacts outside opening hours are not planned for; if the hours are wrong the roster "
                    "leaves real demand uncovered",
                    "correct the opening hours in the site YAML, or the timezone of the history's starts")]


def history_gate(history: pd.DataFrame, path: Path | None, timezone: str, interval_min: int | None = None,
                 escalate_codes: frozenset[str] = frozenset(), today: dt.date | None = None,
                 forecast_only: bool = False) -> list[Finding]:
    """The findings on a history without a site (no opening hours); raises on errors.

    forecast_only: the history is forecast, not planned on (the `forecast` command, the nightly batch): a
    missing aht_s only leaves the forecast's aht_s blank, so it warns instead of refusing."""
    findings = check_history(history, path, timezone, interval_min=interval_min, today=today)
    if forecast_only:
        findings = [replace(f, severity=WARNING, why="the forecast's aht_s is left blank; `plan` refuses this history")
                    if f.code == "history-aht-missing" else f for f in findings]
    findings = escalate(findings, escalate_codes)
    raise_errors(findings)
    return findings
