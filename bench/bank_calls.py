"""Adapter: the "Anonymous Bank" call log (Technion SEE, October 1999) → our per-call CSV.

    python -m bench.bank_calls [--src ../shared/data/queueing/anonymous_bank_1999_10_calls.tsv]
                               [--out bank_calls.csv] [--queues pools|types|one]

The source has 17 tab-separated fields per call (see ../shared/data/README.md).
What this adapter does with its pitfalls, so the loader needs no special cases:

- Arrival: a call that queued arrives at `q_start`; a call answered without
  queueing has `q_start` 0:00:00 and arrives when it leaves the voice response
  unit (`vru_exit`), with wait 0. Those are ~40% of what agents were offered.
- Clock times are local wall-clock `H:MM:SS` on the row's `date`; a time more
  than an hour before `vru_entry` belongs to the next day (calls around midnight).
  Israel was on standard time all October 1999, so no time is ambiguous.
- Kept: `AGENT` rows with a named server (answered; handle = `ser_time`, the
  agent's talk time) and `HANG` rows with queue time > 0 (abandoned; wait =
  `q_time`). Dropped, and counted: `PHANTOM` rows (not calls), `AGENT` rows
  served by `NO_SERVER` (a few seconds of non-agent "service"), `HANG` rows that
  never queued (hung up in the voice unit, never offered to an agent), and rows
  whose fields do not parse (two rows of the October file have a field split).
- Queue: `pools` (default) follows who can answer: `IN` (internet banking) is
  answered by its own agents, every other type by one shared pool, so the
  queues are `internet` and `retail`. `types` keeps the six call types as
  queues (agents shared between them); `one` puts every call in `bank`.
  Priority is not used (it depends on the outcome).
"""
from __future__ import annotations

import argparse
import logging
import sys
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

log = logging.getLogger(__name__)

SOURCE = Path(__file__).resolve().parents[2] / "shared" / "data" / "queueing" / "anonymous_bank_1999_10_calls.tsv"
TIMEZONE = "Asia/Jerusalem"
QUEUE_MODES = ("pools", "types", "one")
FIELDS = ["vru+line", "call_id", "customer_id", "priority", "type", "date", "vru_entry", "vru_exit", "vru_time",
          "q_start", "q_exit", "q_time", "outcome", "ser_start", "ser_exit", "ser_time", "server"]


@dataclass
class Conversion:
    calls: pd.DataFrame                       # queue, arrival, wait_s, outcome, handle_s, agent_id
    dropped: dict[str, int] = field(default_factory=dict)


def _clock_s(text: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """'H:MM:SS' → seconds after midnight, and whether the cell parsed."""
    parts = text.str.extract(r"^(\d{1,2}):(\d{2}):(\d{2})$").astype(float)
    seconds = parts[0] * 3600 + parts[1] * 60 + parts[2]
    return seconds.to_numpy(), seconds.notna().to_numpy()


def _queue(kind: pd.Series, mode: str) -> np.ndarray:
    if mode == "pools":
        return np.where(kind.eq("IN"), "internet", "retail")
    if mode == "types":
        return kind.to_numpy()
    return np.full(len(kind), "bank")


def convert(src: Path = SOURCE, queues: str = "pools") -> Conversion:
    """The source file as per-call rows (naive local arrival times), with what was dropped and why."""
    if queues not in QUEUE_MODES:
        raise ValueError(f"queues must be one of {QUEUE_MODES}")
    raw = pd.read_csv(src, sep="\t", dtype=str, keep_default_na=False)
    missing = [c for c in FIELDS if c not in raw.columns]
    if missing:
        raise ValueError(f"{src}: not the Anonymous Bank format (missing {missing})")
    raw = raw.apply(lambda col: col.str.strip())
    vru_entry, ok1 = _clock_s(raw["vru_entry"])
    vru_exit, ok2 = _clock_s(raw["vru_exit"])
    q_start, ok3 = _clock_s(raw["q_start"])
    numbers = raw[["q_time", "ser_time"]].apply(pd.to_numeric, errors="coerce")
    date = pd.to_datetime(raw["date"], format="%y%m%d", errors="coerce")
    parsed = (ok1 & ok2 & ok3 & date.notna().to_numpy() & numbers.notna().all(axis=1).to_numpy()
              & raw["outcome"].isin(["AGENT", "HANG", "PHANTOM"]).to_numpy())
    q_time = numbers["q_time"].to_numpy()
    outcome = raw["outcome"].to_numpy()
    agent_row = outcome == "AGENT"
    kinds = {
        "unparsable row": ~parsed,
        "PHANTOM (not a call)": parsed & (outcome == "PHANTOM"),
        "AGENT served by NO_SERVER (not agent work)": parsed & agent_row & (raw["server"] == "NO_SERVER").to_numpy(),
        "HANG without queueing (never offered to an agent)": parsed & (outcome == "HANG") & (q_time <= 0),
    }
    drop = np.zeros(len(raw), dtype=bool)
    dropped = {}
    for label, mask in kinds.items():
        dropped[label] = int((mask & ~drop).sum())
        drop |= mask
    keep = ~drop
    queued = q_time > 0
    start_s = np.where(queued, q_start, vru_exit)
    start_s = np.where(start_s < vru_entry - 3600, start_s + 86400, start_s)        # after midnight
    arrival = date + pd.to_timedelta(np.where(np.isfinite(start_s), start_s, 0.0), unit="s")
    answered = agent_row
    calls = pd.DataFrame({
        "queue": _queue(raw["type"], queues),
        "arrival": arrival,
        "wait_s": np.where(queued, q_time, 0.0),
        "outcome": np.where(answered, "answered", "abandoned"),
        "handle_s": np.where(answered, numbers["ser_time"].to_numpy(), np.nan),
        "agent_id": np.where(answered, raw["server"].to_numpy(), ""),
    })[keep]
    calls = calls.sort_values(["arrival", "queue"], kind="stable").reset_index(drop=True)
    return Conversion(calls, dropped)


def to_csv_text(calls: pd.DataFrame) -> str:
    """Our per-call CSV (scheduler/calibration/calls.py): local times without offset, whole seconds."""
    out = calls.copy()
    out["arrival"] = out["arrival"].dt.strftime("%Y-%m-%d %H:%M:%S")
    out["wait_s"] = out["wait_s"].map(lambda v: f"{v:g}")
    out["handle_s"] = out["handle_s"].map(lambda v: "" if pd.isna(v) else f"{v:g}")
    return out.to_csv(index=False, lineterminator="\n")


def main(argv: list[str] | None = None) -> int:
    from common.io import atomic_write_text

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--src", type=Path, default=SOURCE, help="the Anonymous Bank TSV")
    parser.add_argument("--out", type=Path, default=Path("bank_calls.csv"), help="per-call CSV to write")
    parser.add_argument("--queues", choices=QUEUE_MODES, default="pools", help="how calls map to queues")
    args = parser.parse_args(argv)
    if not args.src.is_file():
        print(f"error: {args.src}: no such file", file=sys.stderr)
        return 2
    result = convert(args.src, args.queues)
    atomic_write_text(args.out, to_csv_text(result.calls))
    print(f"wrote {len(result.calls):,} calls to {args.out} (timezone {TIMEZONE}: pass --timezone {TIMEZONE})")
    for queue, part in result.calls.groupby("queue"):
        print(f"  {queue}: {len(part):,} calls, {int((part['outcome'] == 'abandoned').sum()):,} abandoned")
    for label, count in result.dropped.items():
        print(f"  dropped {count:,}: {label}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
