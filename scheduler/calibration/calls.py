"""The per-call records file: one row per call offered to a queue.

Columns (CSV, header row):

| column | meaning |
|---|---|
| `queue` | the queue the call was offered to (as in the site YAML) |
| `arrival` | when the call joined the queue: ISO 8601; local wall-clock time in `--timezone` when it has no offset |
| `wait_s` | seconds in the queue until answered or hung up; 0 for a call answered without waiting |
| `outcome` | `answered` or `abandoned` |
| `handle_s` | seconds an agent spent on the call (talk + hold); empty for an abandoned call |
| `agent_id` | who answered; empty when nobody did |

Calls answered without waiting are rows with `wait_s` 0 — leaving them out
understates what arrived. Every bad cell is reported (file, spreadsheet row,
column, what is wrong, how to fix it), all of them in one message, so a
planner fixes an export once rather than once per run.
"""
from __future__ import annotations

import logging
import re
from pathlib import Path

import numpy as np
import pandas as pd

from common.errors import InputError, InputErrors
from common.io import read_csv, row_label

log = logging.getLogger(__name__)

__all__ = ["CALL_COLUMNS", "OUTCOMES", "load_calls", "validate_calls"]

CALL_COLUMNS = ["queue", "arrival", "wait_s", "outcome", "handle_s", "agent_id"]
OUTCOMES = ("answered", "abandoned")
MAX_LISTED = 20                      # cells listed one by one; the rest are counted

_OFFSET = re.compile(r"(?:Z|[+-]\d{2}(?::?\d{2})?)$", re.IGNORECASE)


class _Problems:
    """Collects every bad cell; reports them in file order, the first MAX_LISTED one by one."""

    def __init__(self, path: Path):
        self.path = path
        self.cells: list[tuple[int, int, int, object, str, str]] = []

    def add(self, positions: np.ndarray, index: pd.Index, column: str, problem, fix: str) -> None:
        order = CALL_COLUMNS.index(column)
        self.cells.extend((int(index[pos]), order, int(pos), problem, fix, column) for pos in positions)

    def raise_if_any(self) -> None:
        if not self.cells:
            return
        self.cells.sort(key=lambda cell: cell[:2])
        errors = [InputError(f"{row_label(self.path, row)}, column '{column}'", problem(pos), fix)
                  for row, _, pos, problem, fix, column in self.cells[:MAX_LISTED]]
        if len(self.cells) > MAX_LISTED:
            errors.append(InputError(str(self.path), f"{len(self.cells) - MAX_LISTED} more bad cell(s) not listed",
                                     "fix the cells above and run again to see the rest"))
        raise errors[0] if len(errors) == 1 else InputErrors(errors)


def _numbers(text: pd.Series) -> np.ndarray:
    values = pd.to_numeric(text, errors="coerce").to_numpy(dtype=float)
    return np.where(np.isfinite(values), values, np.nan)


def _arrivals(text: pd.Series, timezone: str, problems: _Problems) -> pd.Series:
    """ISO times to tz-aware times in `timezone` (an offset wins; without one, local wall-clock time)."""
    out = pd.Series(pd.NaT, index=text.index, dtype=f"datetime64[ns, {timezone}]")
    has_offset = text.str.contains(_OFFSET).to_numpy()
    not_a_time = np.zeros(len(text), dtype=bool)
    unclear = np.zeros(len(text), dtype=bool)
    if has_offset.any():
        parsed = pd.to_datetime(text[has_offset], format="ISO8601", utc=True, errors="coerce")
        not_a_time[has_offset] = parsed.isna().to_numpy()
        out[has_offset] = parsed.dt.tz_convert(timezone).astype(out.dtype)
    naive = ~has_offset
    if naive.any():
        parsed = pd.to_datetime(text[naive], format="ISO8601", errors="coerce")
        local = parsed.dt.tz_localize(timezone, ambiguous="NaT", nonexistent="NaT")
        not_a_time[naive] = parsed.isna().to_numpy()
        unclear[naive] = (parsed.notna() & local.isna()).to_numpy()
        out[naive] = local.astype(out.dtype)
    problems.add(np.flatnonzero(not_a_time), text.index, "arrival",
                 lambda i: "the arrival is empty" if text.iloc[i] == "" else f"'{text.iloc[i]}' is not a date and time",
                 "write the arrival as ISO 8601, e.g. 1999-10-03 09:15:02 or 1999-10-03T09:15:02+02:00")
    problems.add(np.flatnonzero(unclear), text.index, "arrival",
                 lambda i: f"'{text.iloc[i]}' is ambiguous or does not exist in {timezone} (a daylight-saving change)",
                 "write this arrival with its UTC offset, e.g. 1999-10-03T01:30:00+02:00")
    return out


def validate_calls(frame: pd.DataFrame, path: Path, timezone: str) -> pd.DataFrame:
    """String rows (index = file row, 0 for the first data row) → the typed calls frame, sorted by arrival.

    Columns out: queue, arrival (tz-aware), wait_s, outcome, handle_s (NaN when
    abandoned), agent_id ('' when nobody answered).
    """
    path = Path(path)
    problems = _Problems(path)
    text = {c: frame[c].astype(str).str.strip() for c in CALL_COLUMNS}
    index = frame.index
    queue = text["queue"]
    problems.add(np.flatnonzero(queue.eq("").to_numpy()), index, "queue", lambda i: "the queue is empty",
                 "write the queue id (as in the site YAML) on every row")
    arrival = _arrivals(text["arrival"], timezone, problems)
    wait = _numbers(text["wait_s"])
    problems.add(np.flatnonzero(np.isnan(wait)), index, "wait_s",
                 lambda i: "the wait is empty" if text["wait_s"].iloc[i] == ""
                 else f"'{text['wait_s'].iloc[i]}' is not a number of seconds",
                 "write the seconds the caller waited in the queue (0 when answered at once)")
    problems.add(np.flatnonzero(wait < 0), index, "wait_s", lambda i: f"the wait {text['wait_s'].iloc[i]} s is negative",
                 "a wait is 0 or more seconds; check the export's time columns")
    outcome = text["outcome"].str.lower()
    known = outcome.isin(OUTCOMES).to_numpy()
    problems.add(np.flatnonzero(~known), index, "outcome",
                 lambda i: f"unknown outcome '{text['outcome'].iloc[i]}'",
                 "write answered (an agent took the call) or abandoned (the caller hung up first)")
    answered = outcome.eq("answered").to_numpy()
    abandoned = outcome.eq("abandoned").to_numpy()
    handle_text = text["handle_s"]
    handle = _numbers(handle_text)
    blank_handle = handle_text.eq("").to_numpy()
    problems.add(np.flatnonzero(answered & blank_handle), index, "handle_s",
                 lambda i: "an answered call has no handle time",
                 "write the seconds the agent spent on the call")
    problems.add(np.flatnonzero(answered & ~blank_handle & np.isnan(handle)), index, "handle_s",
                 lambda i: f"'{handle_text.iloc[i]}' is not a number of seconds",
                 "write the seconds the agent spent on the call")
    problems.add(np.flatnonzero(answered & (handle < 0)), index, "handle_s",
                 lambda i: f"the handle time {handle_text.iloc[i]} s is negative",
                 "a handle time is 0 or more seconds")
    problems.add(np.flatnonzero(abandoned & ~blank_handle), index, "handle_s",
                 lambda i: f"an abandoned call has a handle time ({handle_text.iloc[i]})",
                 "leave handle_s empty for abandoned calls, or mark the call answered if an agent took it")
    agent = text["agent_id"]
    problems.add(np.flatnonzero(abandoned & agent.ne("").to_numpy()), index, "agent_id",
                 lambda i: f"an abandoned call names agent '{agent.iloc[i]}'",
                 "leave agent_id empty when nobody answered, or mark the call answered")
    problems.raise_if_any()
    out = pd.DataFrame({"queue": queue.to_numpy(), "arrival": arrival.to_numpy(), "wait_s": wait,
                        "outcome": outcome.to_numpy(), "handle_s": np.where(answered, handle, np.nan),
                        "agent_id": agent.to_numpy()})
    out["arrival"] = out["arrival"].dt.tz_convert(timezone)
    no_agent = int((answered & agent.eq("").to_numpy()).sum())
    if no_agent:
        log.warning("%s: %d answered call(s) name no agent; they count as calls but not as anyone's activity",
                    path, no_agent)
    out = out.sort_values(["arrival", "queue"], kind="stable").reset_index(drop=True)
    log.debug("read %d calls for %d queue(s) from %s", len(out), out["queue"].nunique(), path)
    return out


def load_calls(path: Path, timezone: str) -> pd.DataFrame:
    """Read and validate a per-call CSV (see the module docstring for its columns)."""
    path = Path(path)
    frame = read_csv(path, "per-call records", CALL_COLUMNS)
    if frame.empty:
        raise InputError(str(path), "the per-call file has a header but no rows",
                         "export at least a few weeks of calls, one row per call")
    extra = [c for c in frame.columns if c not in CALL_COLUMNS]
    if extra:
        log.warning("%s: column(s) %s are not per-call columns and were ignored (known: %s)", path,
                    ", ".join(repr(c) for c in extra), ", ".join(CALL_COLUMNS))
    return validate_calls(frame, path, timezone)
