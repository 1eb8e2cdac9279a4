"""Reading a contact history CSV into the long `queue, start, contacts[, aht_s, ...]` frame.

Optional columns (an ACD interval report carries them; blank cells are unknown):

| column | meaning |
|---|---|
| `aht_s` | mean handle time of the interval's answered contacts, seconds |
| `answered` | contacts answered by an agent |
| `abandoned` | contacts that hung up before an answer |
| `answered_within_target` | contacts answered within the queue's target time |
| `wait_s_total` | seconds all offered contacts waited in the queue, summed (abandoned ones up to hang-up) |
| `agents_staffed` | agents on duty on the queue, averaged over the interval (fractions allowed) |

`contacts` counts everything offered to the queue. A column the loader does
not know is logged as a warning naming it (a misspelt `abandonned` would
otherwise silently drop the abandonment data).

Validation is vectorised (a nightly batch reads millions of rows) but every
problem is reported as one InputError naming the file, the spreadsheet row of
the first offending line and the column, so a planner can go straight to it.
"""
from __future__ import annotations

import logging
import re
from pathlib import Path

import numpy as np
import pandas as pd

from common.errors import InputError
from common.io import parse_number, read_csv, row_label

log = logging.getLogger(__name__)

REQUIRED = ["queue", "start", "contacts"]
OPTIONAL_NUMERIC = ["aht_s", "answered", "abandoned", "answered_within_target", "wait_s_total", "agents_staffed"]
# Counts of contacts that cannot exceed what was offered (`contacts`).
COUNT_COLUMNS = ["answered", "abandoned", "answered_within_target"]
ALLOWED_INTERVALS_MIN = (5, 6, 10, 15, 20, 30, 60)

_OFFSET = re.compile(r"(?:Z|[+-]\d{2}(?::?\d{2})?)$", re.IGNORECASE)


def _more(count: int) -> str:
    return f" ({count - 1} more row(s) have the same problem)" if count > 1 else ""


def _parse_numeric(frame: pd.DataFrame, path: Path, column: str, *, allow_blank: bool) -> pd.Series:
    """Column as floats; blank cells become NaN when allowed."""
    text = frame[column].astype(str).str.strip()
    values = pd.to_numeric(text, errors="coerce").astype(float)
    blank = text.eq("")
    bad = ~np.isfinite(values.to_numpy()) & ~(blank.to_numpy() & allow_blank)
    if bad.any():
        first = int(np.flatnonzero(bad)[0])
        where = row_label(path, _row(frame, first))
        if text.iloc[first] == "":
            raise InputError(f"{where}, column '{column}'", "the cell is empty" + _more(int(bad.sum())),
                             f"write a number in '{column}' (0 if there were none); "
                             "delete the row if the interval's data is missing")
        try:
            parse_number(text.iloc[first], where, column)
        except InputError as exc:
            raise InputError(exc.where, exc.problem + _more(int(bad.sum())), exc.fix) from None
        raise InputError(f"{where}, column '{column}'", f"'{text.iloc[first]}' is not a finite number",
                         f"write a plain number in '{column}'")
    return values


def _first_bad(mask: np.ndarray) -> int:
    """Position of the first True."""
    return int(np.flatnonzero(mask)[0])


def _row(frame: pd.DataFrame | pd.Series, position: int) -> int:
    """The file row index (0 = first data row) of a position, so subsets keep true row numbers."""
    return int(frame.index[position])


def _parse_starts(text: pd.Series, path: Path, timezone: str, queues: pd.Series) -> pd.Series:
    """ISO 8601 starts to tz-aware times in `timezone`.

    With an offset the offset wins; without one the time is local wall-clock
    time. A local time that occurs twice (autumn DST change) is read as the
    first occurrence the first time it appears for a queue and the second
    occurrence the next time, which is how interval exports list them.
    """
    text = text.astype(str).str.strip()
    has_offset = text.str.contains(_OFFSET).to_numpy()
    out = pd.Series(pd.NaT, index=text.index, dtype=f"datetime64[ns, {timezone}]")

    def bad_start(position: int, count: int, problem: str | None = None) -> InputError:
        value = text.iloc[position]
        return InputError(
            f"{row_label(path, _row(text, position))}, column 'start'",
            (problem or f"'{value}' is not a date and time") + _more(count),
            "write the interval start in ISO 8601, e.g. 2024-03-04 08:30 or 2024-03-04T08:30:00+01:00")

    if has_offset.any():
        part = text[has_offset]
        parsed = pd.to_datetime(part, format="ISO8601", utc=True, errors="coerce")
        bad = parsed.isna().to_numpy()
        if bad.any():
            raise bad_start(int(np.flatnonzero(has_offset)[_first_bad(bad)]), int(bad.sum()))
        out[has_offset] = parsed.dt.tz_convert(timezone).astype(out.dtype)
    naive = ~has_offset
    if naive.any():
        part = text[naive]
        parsed = pd.to_datetime(part, format="ISO8601", errors="coerce")
        bad = parsed.isna().to_numpy()
        if bad.any():
            raise bad_start(int(np.flatnonzero(naive)[_first_bad(bad)]), int(bad.sum()))
        # Which occurrence of a repeated local time: 0 for the first, 1 for the second.
        occurrence = parsed.groupby([queues[naive].to_numpy(), parsed.to_numpy()]).cumcount()
        localized = parsed.dt.tz_localize(timezone, ambiguous=(occurrence == 0).to_numpy(),
                                          nonexistent="NaT")
        gap = localized.isna().to_numpy()
        if gap.any():
            raise bad_start(int(np.flatnonzero(naive)[_first_bad(gap)]), int(gap.sum()),
                            f"'{text[naive].iloc[_first_bad(gap)]}' does not exist in {timezone} "
                            "(the clocks skip that hour when daylight saving starts)")
        out[naive] = localized.astype(out.dtype)
    return out


def read_history_text(path: Path) -> pd.DataFrame:
    """The history CSV as strings (file checks, columns, not empty); rows validated later.

    Split from validation so the batch can read a big file once and validate
    each queue's rows in its own worker, failing only that queue.
    """
    path = Path(path)
    frame = read_csv(path, "history", REQUIRED)
    if frame.empty:
        raise InputError(str(path), "the history file has a header but no rows",
                         "export at least a few weeks of interval history (queue, start, contacts)")
    return frame


def load_history(path: Path, timezone: str) -> pd.DataFrame:
    """Read and validate a history CSV; starts are tz-aware in `timezone`, rows sorted by queue, start."""
    path = Path(path)
    return validate_history(read_history_text(path), path, timezone)


def validate_history(frame: pd.DataFrame, path: Path, timezone: str) -> pd.DataFrame:
    """Validate string rows (index = file row, 0 for the first data row) into the history frame."""
    queue = frame["queue"].astype(str).str.strip()
    blank_queue = queue.eq("").to_numpy()
    if blank_queue.any():
        raise InputError(f"{row_label(path, _row(frame, _first_bad(blank_queue)))}, column 'queue'",
                         "the queue name is empty" + _more(int(blank_queue.sum())),
                         "write the queue id (as in the site YAML) on every row")
    contacts = _parse_numeric(frame, path, "contacts", allow_blank=False)
    negative = (contacts < 0).to_numpy()
    if negative.any():
        i = _first_bad(negative)
        raise InputError(f"{row_label(path, _row(frame, i))}, column 'contacts'",
                         f"{frame['contacts'].iloc[i].strip()} contacts is negative" + _more(int(negative.sum())),
                         "contacts count arrivals in the interval; write 0 or a positive number")
    result = pd.DataFrame({"queue": queue}, index=frame.index)
    result["start"] = _parse_starts(frame["start"], path, timezone, queue)
    result["contacts"] = contacts
    for column in OPTIONAL_NUMERIC:
        if column not in frame.columns:
            continue
        values = _parse_numeric(frame, path, column, allow_blank=True)
        negative = (values < 0).to_numpy().copy()
        if column == "aht_s":
            negative |= ((values <= 0) & (contacts > 0)).to_numpy()
        if negative.any():
            i = _first_bad(negative)
            raise InputError(f"{row_label(path, _row(frame, i))}, column '{column}'",
                             f"{frame[column].iloc[i].strip()} is not a valid {column}"
                             + (" for an interval with contacts" if column == "aht_s" else "")
                             + _more(int(negative.sum())),
                             "average handle time is in seconds and must be above 0 when there were contacts"
                             if column == "aht_s" else f"'{column}' cannot be negative")
        result[column] = values
    _check_counts(result, frame, path)
    unknown = [c for c in frame.columns if c not in REQUIRED and c not in OPTIONAL_NUMERIC]
    if unknown:
        log.warning("%s: column(s) %s are not history columns and were ignored (known: %s)", path,
                    ", ".join(repr(c) for c in unknown), ", ".join(REQUIRED + OPTIONAL_NUMERIC))
    duplicated = result.duplicated(["queue", "start"], keep=False).to_numpy()
    if duplicated.any():
        first = _first_bad(duplicated)
        key = (result["queue"].iloc[first], result["start"].iloc[first])
        same = np.flatnonzero(((result["queue"] == key[0]) & (result["start"] == key[1])).to_numpy())
        others = int(duplicated.sum()) - len(same)
        raise InputError(
            f"{path} rows {_row(result, same[0]) + 2} and {_row(result, same[1]) + 2}",
            f"queue '{key[0]}' has two rows for the interval starting {key[1].isoformat()}"
            + (f" ({others} more duplicated row(s) elsewhere)" if others else ""),
            "keep one row per queue and interval (sum or delete the duplicate)")
    result = result.sort_values(["queue", "start"], kind="stable").reset_index(drop=True)
    log.debug("read %d history rows for %d queue(s) from %s", len(result), result["queue"].nunique(), path)
    return result


def _check_counts(result: pd.DataFrame, frame: pd.DataFrame, path: Path) -> None:
    """Outcome counts must fit inside what was offered: each ≤ contacts, answered + abandoned ≤ contacts,
    answered within target ≤ answered."""
    checks: list[tuple[list[str], pd.Series, str]] = [([c], result[c], "contacts") for c in COUNT_COLUMNS if c in result]
    if "answered" in result and "abandoned" in result:
        checks.append((["answered", "abandoned"], result["answered"] + result["abandoned"], "contacts"))
    if "answered" in result and "answered_within_target" in result:
        checks.append((["answered_within_target"], result["answered_within_target"], "answered"))
    for columns, value, limit in checks:
        over = (value > result[limit] + 1e-9).to_numpy()        # NaN (a blank cell) compares False
        if over.any():
            i = _first_bad(over)
            cells = " + ".join(f"{c} {frame[c].iloc[i].strip()}" for c in columns)
            raise InputError(f"{row_label(path, _row(frame, i))}, column '{columns[-1]}'",
                             f"{cells} is more than {limit} {frame[limit].iloc[i].strip()}" + _more(int(over.sum())),
                             "contacts counts every contact offered; answered, abandoned and answered_within_target "
                             "are parts of it (and within target a part of answered): check the export's columns")


def infer_interval_min(history: pd.DataFrame, where: str = "history") -> int:
    """The interval length in minutes: the commonest step between consecutive starts of a queue.

    The commonest step, not the smallest, so a stray off-grid row does not turn
    a 30-minute history into a 1-minute one.
    """
    steps: list[np.ndarray] = []
    for _, starts in history.groupby("queue", sort=False)["start"]:
        utc = starts.sort_values().dt.tz_convert("UTC").dt.as_unit("s").astype("int64").to_numpy()
        diff = np.diff(utc)
        steps.append(diff[diff > 0])
    all_steps = np.concatenate(steps) if steps else np.array([], dtype=np.int64)
    if all_steps.size == 0:
        raise InputError(where, "cannot infer the interval length: no queue has two consecutive intervals",
                         "give at least a few days of interval history per queue")
    values, counts = np.unique(all_steps, return_counts=True)
    seconds = int(values[np.argmax(counts)])
    minutes = seconds / 60
    if not float(minutes).is_integer() or 1440 % int(minutes) != 0:
        raise InputError(where, f"the commonest step between interval starts is {seconds} s, "
                         "which does not divide a day into whole-minute intervals",
                         f"use intervals of {', '.join(map(str, ALLOWED_INTERVALS_MIN))} minutes")
    return int(minutes)


__all__ = ["load_history", "read_history_text", "validate_history", "infer_interval_min"]
