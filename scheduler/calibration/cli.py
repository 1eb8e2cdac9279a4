"""`calibrate` and `calls-history`: learn the staffing model from the centre's records.

    run_schedule.py calibrate --calls CALLS.csv --interval-min 60 --target-s 20 --fit-until 1999-10-16 --out DIR
    run_schedule.py calibrate --history HISTORY.csv ... (interval records with the ACD columns)
    run_schedule.py calls-history --calls CALLS.csv --interval-min 30 --target-s 20 --out history.csv

calibrate writes DIR/calibration.yaml, DIR/backtest.csv and, from per-call
records, DIR/history.csv (the same calls as interval history, for forecast and
plan) — all or nothing.
"""
from __future__ import annotations

import argparse
import logging
import math
import shlex
import sys
from pathlib import Path

import numpy as np
import pandas as pd

from common.args import iso_date
from common.errors import InputError
from common.io import atomic_write_text, staged_output
from forecast.history import ALLOWED_INTERVALS_MIN, infer_interval_min, load_history
from scheduler.calibration.backtest import WEEKDAYS
from scheduler.calibration.calibrate import (CalibrationResult, CalibrationSettings, calibrate_calls,
                                             calibrate_history)
from scheduler.calibration.calls import load_calls
from scheduler.calibration.fragment import fragment_text
from scheduler.calibration.intervals import aggregate_calls
from scheduler.calibration.presence import DEFAULT_SESSION_GAP_S, service_spans, sessions

log = logging.getLogger(__name__)


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--interval-min", type=int, default=60, help="interval length in minutes (default 60)")
    p.add_argument("--target-s", type=float, default=20.0,
                   help="service-level target time: answered within this many seconds (default 20)")
    p.add_argument("--timezone", default="UTC",
                   help="IANA zone of times written without an offset (default UTC: wall-clock times kept as given)")
    p.add_argument("--session-gap-min", type=float, default=DEFAULT_SESSION_GAP_S / 60.0,
                   help="an agent idle longer than this is off duty, shorter is on duty but paused "
                        f"(default {DEFAULT_SESSION_GAP_S / 60:g}, the shortest planned break)")


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "calibrate", help="calibrate patience, handle times and agent availability from call records; back-test",
        description="Estimate per queue, from the records before --fit-until: caller patience, the handle-time "
                    "distribution and how many agents on duty are effectively available; then predict every "
                    "interval's service level, abandonment and ASA and compare with what happened, beside the "
                    "noise floor of a perfectly true model. Writes DIR/calibration.yaml (a fragment the site YAML "
                    "can include) and DIR/backtest.csv.")
    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument("--calls", type=Path, help="per-call CSV: queue, arrival, wait_s, outcome, handle_s, agent_id")
    src.add_argument("--history", type=Path, help="interval history CSV with answered, abandoned, "
                                                  "answered_within_target, wait_s_total, agents_staffed")
    _common(p)
    p.add_argument("--fit-until", type=iso_date, required=True,
                   help="calibrate on records before this local date; test from it on (YYYY-MM-DD)")
    p.add_argument("--out", type=Path, required=True, help="output folder")
    p.add_argument("--days", default="mon,tue,wed,thu,fri,sat,sun",
                   help="weekdays whose intervals are back-tested, e.g. sun,mon,tue,wed,thu (default all)")
    p.add_argument("--min-offered", type=float, default=30.0,
                   help="back-test only intervals with at least this many offered calls (default 30)")
    p.add_argument("--baseline-patience-s", type=float, default=150.0,
                   help="patience of the uncalibrated Erlang A it is compared with (default 150, the sample "
                        "site's hand estimate)")
    p.add_argument("--seed", type=int, default=0, help="seed of the bootstraps and the noise-floor simulation")
    p.add_argument("--floor-replications", type=int, default=60,
                   help="simulated replications per interval for the noise floor (default 60)")
    p.set_defaults(func=run_calibrate)

    h = subparsers.add_parser(
        "calls-history", help="turn per-call records into interval history (with the ACD columns) for forecast/plan",
        description="Aggregate a per-call CSV into queue, start, contacts, aht_s, answered, abandoned, "
                    "answered_within_target, wait_s_total, agents_staffed (agents on duty inferred from their calls).")
    h.add_argument("--calls", type=Path, required=True, help="per-call CSV")
    _common(h)
    h.add_argument("--out", type=Path, required=True, help="history CSV to write")
    h.set_defaults(func=run_calls_history)


def _check_common(args: argparse.Namespace) -> None:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    if args.interval_min not in ALLOWED_INTERVALS_MIN:
        raise InputError("--interval-min", f"{args.interval_min} is not a supported interval length",
                         f"use one of {', '.join(map(str, ALLOWED_INTERVALS_MIN))}")
    if not (math.isfinite(args.target_s) and args.target_s >= 0):
        raise InputError("--target-s", f"{args.target_s:g} is not a time of 0 s or more", "e.g. 20")
    if not (math.isfinite(args.session_gap_min) and args.session_gap_min > 0):
        raise InputError("--session-gap-min", f"{args.session_gap_min:g} is not positive", "e.g. 15")
    try:
        ZoneInfo(args.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise InputError("--timezone", f"unknown timezone '{args.timezone}'",
                         "use an IANA name such as Asia/Jerusalem or Europe/London") from None


def _days(text: str) -> tuple[str, ...]:
    days = [d.strip().lower()[:3] for d in text.split(",") if d.strip()]
    bad = [d for d in days if d not in WEEKDAYS]
    if bad or not days:
        raise InputError("--days", f"'{text}' is not a list of weekdays", "write e.g. sun,mon,tue,wed,thu")
    return tuple(d for d in WEEKDAYS if d in days)


def _settings(args: argparse.Namespace) -> CalibrationSettings:
    _check_common(args)
    if not (math.isfinite(args.min_offered) and args.min_offered >= 1):
        raise InputError("--min-offered", f"{args.min_offered:g} is below 1", "e.g. 30")
    if not (math.isfinite(args.baseline_patience_s) and args.baseline_patience_s > 0):
        raise InputError("--baseline-patience-s", f"{args.baseline_patience_s:g} is not positive", "e.g. 150")
    if args.floor_replications < 2:
        raise InputError("--floor-replications", f"{args.floor_replications} is below 2", "e.g. 60")
    return CalibrationSettings(interval_min=args.interval_min, target_s=args.target_s, fit_until=args.fit_until,
                               days=_days(args.days), min_offered=args.min_offered,
                               session_gap_s=60.0 * args.session_gap_min, baseline_patience_s=args.baseline_patience_s,
                               seed=args.seed, floor_replications=args.floor_replications)


def _history_csv(history: pd.DataFrame) -> str:
    out = history.copy()
    out["start"] = out["start"].map(lambda t: t.isoformat())
    for column in ("contacts", "answered", "abandoned", "answered_within_target", "wait_s_total"):
        out[column] = out[column].map(lambda v: f"{v:.0f}")
    out["aht_s"] = out["aht_s"].map(lambda v: "" if pd.isna(v) else f"{v:.2f}")
    out["agents_staffed"] = out["agents_staffed"].map(lambda v: "" if pd.isna(v) else f"{v:.3f}")
    return out.to_csv(index=False, lineterminator="\n")


def _backtest_csv(frame: pd.DataFrame) -> str:
    out = frame.copy()
    out["start"] = out["start"].map(lambda t: t.isoformat())
    for column in out.columns:
        if column.endswith(("_sl", "_abandon")) or column == "agents_on_duty":
            out[column] = out[column].map(lambda v: f"{v:.4f}")
        elif column.endswith("_asa_s"):
            out[column] = out[column].map(lambda v: "inf" if np.isinf(v) else f"{v:.2f}")
        elif column == "offered":
            out[column] = out[column].map(lambda v: f"{v:.0f}")
    return out.to_csv(index=False, lineterminator="\n")


def _pts(x: float) -> str:
    return f"{'-' if np.isnan(x) else 'inf':>6}" if not np.isfinite(x) else f"{100 * x:6.1f}"


def _sec(x: float) -> str:
    return f"{'-' if np.isnan(x) else 'inf':>6}" if not np.isfinite(x) else f"{x:6.1f}"


def _band(b: dict) -> str:
    label = f"{b['from_s']:g}+ s" if not np.isfinite(b["to_s"]) else f"{b['from_s']:g}-{b['to_s']:g} s"
    return f"{label}: {b['mean_patience_s']:.0f}" if b["mean_patience_s"] else f"{label}: -"


def _ci(lo: float, hi: float, fmt: str = ".1f", scale: float = 1.0) -> str:
    if not (np.isfinite(lo) and np.isfinite(hi)):
        return "[interval needs more than one day]"
    return f"[{scale * lo:{fmt}}, {scale * hi:{fmt}}]"


def summary_lines(result: CalibrationResult) -> list[str]:
    """What a planner reads in the terminal: each estimate with its interval, then the error table."""
    s = result.settings
    lines = [f"calibration from {result.source['kind']}: fit before {s.fit_until}, test from it on; "
             f"{s.interval_min}-minute intervals, target {s.target_s:g} s, days {','.join(s.days)}, "
             f"intervals with >= {s.min_offered:g} offered calls"]
    for q, c in result.queues.items():
        p, h, a = c.patience, c.handle, c.after_call
        lines.append(f"queue {q}:")
        lines.append(f"  patience       mean {p.mean_s:.0f} s [{p.lower_s:.0f}, {p.upper_s:.0f}] "
                     f"({p.abandoned:.0f} abandoned over {p.waiting_s:,.0f} s of waiting)")
        if p.hazard_by_wait:
            bands = ", ".join(_band(b) for b in p.hazard_by_wait)
            lines.append(f"                 mean patience by band of waiting (flat if exponential): {bands}")
        if h.cv is not None:
            lines.append(f"  handle time    mean {h.mean_s:.1f} s [{h.mean_lower_s:.1f}, {h.mean_upper_s:.1f}], "
                         f"cv {h.cv:.2f} [{h.cv_lower:.2f}, {h.cv_upper:.2f}]; closer to {h.closer_to} "
                         f"(log-likelihood exponential {h.loglik_exponential:,.0f}, lognormal {h.loglik_lognormal:,.0f})")
        else:
            lines.append(f"  handle time    mean {h.mean_s:.1f} s [{h.mean_lower_s:.1f}, {h.mean_upper_s:.1f}] "
                         "(interval means: no spread or shape)")
        how = (f"measured from {c.pauses:,} pauses ({c.censored_pauses:,} censored)" if c.after_call_method == "measured"
               else "fitted to the fit sample's outcomes")
        lines.append(f"  availability   pause after a call before the next waiting call {a.value:.1f} s "
                     f"{_ci(a.lower, a.upper)}, {how}")
        av = c.availability
        lines.append(f"                 = {100 * av.value:.1f}% of agents on duty effectively answering "
                     f"{_ci(av.lower, av.upper, scale=100.0)}")
        if c.after_call_fitted_check is not None:
            f = c.after_call_fitted_check
            lines.append(f"                 cross-check, pause fitted to outcomes instead: {f.value:.1f} s "
                         f"{_ci(f.lower, f.upper)}")
        if c.all_busy_share_of_waiting is not None:
            lines.append(f"                 all agents on duty were busy during {100 * c.all_busy_share_of_waiting:.0f}% "
                         "of the time callers waited")
        lines.append(f"  agents on duty {c.on_duty}")
    for q, reason in result.skipped.items():
        lines.append(f"queue {q}: not calibrated ({reason})")
    lines += error_table_lines(result.errors, "all")
    return lines


def error_table_lines(errors: pd.DataFrame, queue: str) -> list[str]:
    part = errors[errors["queue"] == queue]
    lines = [f"back-test, queue {queue}: MAE / bias (predicted - actual); SL and abandonment in points, ASA in s",
             f"  {'sample':6} {'model':24} {'intervals':>9} {'SL mae':>7} {'bias':>6} {'ab mae':>7} {'bias':>6} "
             f"{'ASA mae':>7} {'bias':>6}"]
    for sample in ("fit", "test"):
        rows = part[part["sample"] == sample]
        if rows.empty or rows["intervals"].iloc[0] == 0:
            continue
        for model in rows["model"].unique():
            m = rows[rows["model"] == model].set_index("measure")
            lines.append(f"  {sample:6} {model:24} {int(m['intervals'].iloc[0]):>9} {_pts(m.loc['sl', 'mae'])} "
                         f"{_pts(m.loc['sl', 'bias'])} {_pts(m.loc['abandon', 'mae'])} {_pts(m.loc['abandon', 'bias'])} "
                         f"{_sec(m.loc['asa_s', 'mae'])} {_sec(m.loc['asa_s', 'bias'])}")
            if "floor_mae" in m and m["floor_mae"].notna().all():
                lines.append(f"  {'':6} {'  noise floor (true model)':24} {'':>9} {_pts(m.loc['sl', 'floor_mae'])} "
                             f"{'':>6} {_pts(m.loc['abandon', 'floor_mae'])} {'':>6} {_sec(m.loc['asa_s', 'floor_mae'])}")
    return lines


def run_calibrate(args: argparse.Namespace) -> int:
    settings = _settings(args)
    command = "run_schedule.py " + " ".join(shlex.quote(a) for a in sys.argv[1:]) if sys.argv[1:] else ""
    if args.calls is not None:
        calls = load_calls(args.calls, args.timezone)
        result = calibrate_calls(calls, args.timezone, settings, {"file": str(args.calls)})
    else:
        history = load_history(args.history, args.timezone)
        step = infer_interval_min(history, str(args.history))
        if step != settings.interval_min:
            raise InputError("--interval-min", f"{settings.interval_min} does not match the history's "
                             f"{step}-minute intervals", f"pass --interval-min {step}")
        result = calibrate_history(history, settings, {"file": str(args.history)}, str(args.history))
    with staged_output(args.out) as stage:
        atomic_write_text(stage / "calibration.yaml", fragment_text(result, command))
        atomic_write_text(stage / "backtest.csv", _backtest_csv(result.backtest))
        if result.history is not None:
            atomic_write_text(stage / "history.csv", _history_csv(result.history))
    print("\n".join(summary_lines(result)))
    written = ["calibration.yaml", "backtest.csv"] + (["history.csv"] if result.history is not None else [])
    print(f"wrote {', '.join(str(args.out / w) for w in written)}")
    return 0


def run_calls_history(args: argparse.Namespace) -> int:
    _check_common(args)
    calls = load_calls(args.calls, args.timezone)
    duty = sessions(service_spans(calls), 60.0 * args.session_gap_min)
    history = aggregate_calls(calls, args.interval_min, args.target_s, duty)
    atomic_write_text(args.out, _history_csv(history))
    print(f"wrote {len(history):,} intervals of {history['queue'].nunique()} queue(s) to {args.out}")
    return 0
