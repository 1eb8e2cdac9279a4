"""Calibrate each queue from records before `fit_until`, then back-test on the whole period.

The one place that knows the order: records → interval facts and agents on
duty → patience, handle times, availability (fit sample only) → predictions
of the calibrated model and of the models it must beat → errors beside the
noise floor.
"""
from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from common.errors import InputError
from scheduler.calibration import availability
from scheduler.calibration.backtest import backtest_frame, error_table, interval_facts, predict_facts
from scheduler.calibration.handle_fit import HandleFit, fit_handle_times, handle_from_intervals
from scheduler.calibration.intervals import aggregate_calls
from scheduler.calibration.model import StaffingModel, effective_agents_share
from scheduler.calibration.noise_floor import noise_floor
from scheduler.calibration.patience_fit import PatienceFit, patience_from_calls, patience_from_intervals
from scheduler.calibration.presence import service_spans, sessions

log = logging.getLogger(__name__)

__all__ = ["CalibrationSettings", "Estimate", "QueueCalibration", "CalibrationResult", "calibrate_calls",
           "calibrate_history", "MODEL_LABELS"]

MODEL_LABELS = {
    "calibrated": "Erlang A, calibrated (patience, pause after each call)",
    "erlang_a_factor": "Erlang A, fitted patience, agents × one fitted availability factor",
    "erlang_a_uncalibrated": "Erlang A, hand-estimated patience, agents on duty as they are",
    "erlang_c": "Erlang C, agents on duty as they are",
}


@dataclass(frozen=True)
class CalibrationSettings:
    interval_min: int
    target_s: float
    fit_until: dt.date
    days: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
    min_offered: float = 30.0
    session_gap_s: float = 900.0
    baseline_patience_s: float = 150.0
    seed: int = 0
    floor_replications: int = 60
    confidence: float = 0.95
    bootstrap: int = 200              # resamples for the intervals that need one (over days)

    @property
    def interval_s(self) -> float:
        return 60.0 * self.interval_min


@dataclass(frozen=True)
class Estimate:
    value: float
    lower: float
    upper: float


@dataclass
class QueueCalibration:
    queue: str
    patience: PatienceFit
    handle: HandleFit
    after_call: Estimate                    # mean pause after a call, seconds
    after_call_method: str                  # "measured" (per-call pauses) or "fitted" (interval outcomes)
    availability: Estimate                  # share of agents on duty effectively answering
    availability_factor_fit: Estimate       # the constant factor of the comparison model
    on_duty: str                            # how agents on duty were obtained
    pauses: int | None = None
    censored_pauses: int | None = None
    all_busy_share_of_waiting: float | None = None
    after_call_fitted_check: Estimate | None = None   # per-call records: the fitted value, for comparison


@dataclass
class CalibrationResult:
    settings: CalibrationSettings
    source: dict
    queues: dict[str, QueueCalibration]
    skipped: dict[str, str]
    backtest: pd.DataFrame
    errors: pd.DataFrame
    history: pd.DataFrame | None = None
    notes: list[str] = field(default_factory=list)


def _check_fit_until(times: pd.Series, fit_until: dt.date) -> None:
    first, last = times.min(), times.max()
    if not first.date() < fit_until <= last.date():
        raise InputError("--fit-until", f"{fit_until} is outside the records, which run from {first:%Y-%m-%d %H:%M} "
                         f"to {last:%Y-%m-%d %H:%M}",
                         f"choose a date after {first:%Y-%m-%d} and no later than {last:%Y-%m-%d}, so that both a "
                         "fit sample (before it) and a test sample (from it on) remain")


def _facts(history: pd.DataFrame, settings: CalibrationSettings) -> pd.DataFrame:
    facts = interval_facts(history, settings.fit_until, settings.days, settings.min_offered)
    if not (facts["sample"] == "fit").any():
        raise InputError("--min-offered", f"no interval before --fit-until {settings.fit_until} on the chosen days "
                         f"has {settings.min_offered:g} or more offered calls",
                         "lower --min-offered, widen --days, or move --fit-until later")
    if not (facts["sample"] == "test").any():
        log.warning("no interval from --fit-until on has %g or more offered calls: the test sample is empty",
                    settings.min_offered)
    return facts


def _factor_fit(rows: pd.DataFrame, patience_s: float, settings: CalibrationSettings) -> Estimate:
    fit = availability.fit_scalar(rows, lambda f: StaffingModel("factor", patience_s, availability_factor=f),
                                  (0.05, 1.5), settings.interval_s, settings.target_s, settings.confidence,
                                  settings.seed, settings.bootstrap // 2)
    return Estimate(fit.value, fit.lower, fit.upper)


def _pause_fit(rows: pd.DataFrame, patience_s: float, aht_s: float, settings: CalibrationSettings) -> Estimate:
    fit = availability.fit_scalar(rows, lambda p: StaffingModel("pause", patience_s, after_call_s=p),
                                  (0.0, 3.0 * aht_s), settings.interval_s, settings.target_s, settings.confidence,
                                  settings.seed, settings.bootstrap // 2)
    return Estimate(fit.value, fit.lower, fit.upper)


def _share(aht: float, pause: Estimate) -> Estimate:
    return Estimate(effective_agents_share(aht, pause.value), effective_agents_share(aht, pause.upper),
                    effective_agents_share(aht, pause.lower))


def _evaluate(queues: dict[str, QueueCalibration], facts: pd.DataFrame, settings: CalibrationSettings,
              source: dict, skipped: dict[str, str], history: pd.DataFrame | None) -> CalibrationResult:
    facts = facts[facts["queue"].isin(list(queues))].reset_index(drop=True)
    fallback = {q: c.handle.mean_s for q, c in queues.items()}
    models = {
        "calibrated": {q: StaffingModel("calibrated", c.patience.mean_s, after_call_s=c.after_call.value)
                       for q, c in queues.items()},
        "erlang_a_factor": {q: StaffingModel("erlang_a_factor", c.patience.mean_s,
                                             availability_factor=c.availability_factor_fit.value)
                            for q, c in queues.items()},
        "erlang_a_uncalibrated": {q: StaffingModel("erlang_a_uncalibrated", settings.baseline_patience_s)
                                  for q in queues},
        "erlang_c": {q: StaffingModel("erlang_c", None) for q in queues},
    }
    predicted = {name: predict_facts(facts, m, fallback, settings.interval_s, settings.target_s)
                 for name, m in models.items()}
    floor = noise_floor(facts, models["calibrated"], fallback, settings.interval_s, settings.target_s,
                        settings.floor_replications, settings.seed)
    errors = error_table(facts, predicted, floor)
    errors.loc[errors["model"] != "calibrated", "floor_mae"] = np.nan
    return CalibrationResult(settings, source, queues, skipped, backtest_frame(facts, predicted["calibrated"]),
                             errors, history)


def calibrate_calls(calls: pd.DataFrame, timezone: str, settings: CalibrationSettings,
                    source: dict | None = None) -> CalibrationResult:
    """Per-call records: everything measured from the calls, agents on duty from their sessions."""
    _check_fit_until(calls["arrival"], settings.fit_until)
    duty = sessions(service_spans(calls), settings.session_gap_s)
    history = aggregate_calls(calls, settings.interval_min, settings.target_s, duty)
    facts = _facts(history, settings)
    in_fit = (calls["arrival"].dt.date < settings.fit_until).to_numpy()
    fit_calls = calls[in_fit]
    fit_duty = sessions(service_spans(fit_calls), settings.session_gap_s)
    gap_min = settings.session_gap_s / 60.0
    on_duty = (f"inferred from the agents' own calls: an agent is on duty for a queue from the start of a run of "
               f"their answered calls of it to the end of its last call, runs broken by idle gaps over {gap_min:g} min")
    queues: dict[str, QueueCalibration] = {}
    skipped: dict[str, str] = {}
    for queue in sorted(calls["queue"].unique()):
        part = fit_calls[fit_calls["queue"] == queue]
        answered = part[part["outcome"] == "answered"]
        rows = facts[(facts["queue"] == queue) & (facts["sample"] == "fit")]
        reason = None
        if (part["outcome"] == "abandoned").sum() == 0 or part["wait_s"].sum() <= 0:
            reason = "no abandoned call (or no waiting) before --fit-until: patience cannot be estimated"
        elif len(answered) < 2:
            reason = "fewer than two answered calls before --fit-until"
        elif rows.empty:
            reason = f"no fit interval with {settings.min_offered:g} or more offered calls"
        if reason:
            skipped[queue] = reason
            log.warning("queue %s not calibrated: %s", queue, reason)
            continue
        patience = patience_from_calls(part, settings.confidence)
        handle = fit_handle_times(answered["handle_s"].to_numpy(float), settings.confidence, settings.seed,
                                  settings.bootstrap)
        sample = availability.pause_sample(fit_duty, fit_calls, queue, timezone)
        pause = availability.estimate_pause(sample, settings.session_gap_s, settings.confidence, settings.seed,
                                             settings.bootstrap)
        after_call = Estimate(pause.mean_s, pause.lower_s, pause.upper_s)
        queues[queue] = QueueCalibration(
            queue=queue, patience=patience, handle=handle, after_call=after_call, after_call_method="measured",
            availability=_share(handle.mean_s, after_call),
            availability_factor_fit=_factor_fit(rows, patience.mean_s, settings), on_duty=on_duty,
            pauses=pause.pauses, censored_pauses=pause.censored,
            all_busy_share_of_waiting=availability.all_busy_share_of_waiting(fit_duty, fit_calls, queue),
            after_call_fitted_check=_pause_fit(rows, patience.mean_s, handle.mean_s, settings))
    if not queues:
        raise InputError("--calls", "no queue could be calibrated: " + "; ".join(f"{q}: {r}" for q, r in skipped.items()),
                         "give records with abandoned calls and waits before --fit-until")
    src = {"kind": "per-call records", "timezone": timezone, "calls": int(len(calls)),
           "first": calls["arrival"].min().isoformat(), "last": calls["arrival"].max().isoformat(), **(source or {})}
    return _evaluate(queues, facts, settings, src, skipped, history)


HISTORY_NEEDS = ["aht_s", "answered", "abandoned", "answered_within_target", "wait_s_total", "agents_staffed"]


def calibrate_history(history: pd.DataFrame, settings: CalibrationSettings, source: dict | None = None,
                      where: str = "--history") -> CalibrationResult:
    """Interval records from an ACD report: agents on duty from agents_staffed, the pause fitted."""
    missing = [c for c in HISTORY_NEEDS if c not in history.columns]
    if missing:
        raise InputError(where, f"missing column(s) {', '.join(missing)} needed to calibrate",
                         "export the ACD interval report with answered, abandoned, answered_within_target, "
                         "wait_s_total and agents_staffed (see forecast/history.py), or give per-call records "
                         "with --calls")
    _check_fit_until(history["start"], settings.fit_until)
    facts = _facts(history, settings)
    in_fit = (history["start"].dt.date < settings.fit_until).to_numpy()
    queues: dict[str, QueueCalibration] = {}
    skipped: dict[str, str] = {}
    for queue in sorted(history["queue"].unique()):
        part = history[in_fit & (history["queue"] == queue).to_numpy()]
        rows = facts[(facts["queue"] == queue) & (facts["sample"] == "fit")]
        reason = None
        if part["abandoned"].sum() <= 0 or part["wait_s_total"].sum() <= 0:
            reason = "no abandoned call (or no waiting) before --fit-until: patience cannot be estimated"
        elif not (part["answered"] > 0).any() or not part["aht_s"].notna().any():
            reason = "no answered calls with a handle time before --fit-until"
        elif rows.empty:
            reason = f"no fit interval with {settings.min_offered:g} or more offered calls and agents_staffed"
        if reason:
            skipped[queue] = reason
            log.warning("queue %s not calibrated: %s", queue, reason)
            continue
        patience = patience_from_intervals(part, settings.confidence)
        handle = handle_from_intervals(part["aht_s"].to_numpy(float), part["answered"].to_numpy(float),
                                       settings.confidence)
        after_call = _pause_fit(rows, patience.mean_s, handle.mean_s, settings)
        queues[queue] = QueueCalibration(
            queue=queue, patience=patience, handle=handle, after_call=after_call, after_call_method="fitted",
            availability=_share(handle.mean_s, after_call),
            availability_factor_fit=_factor_fit(rows, patience.mean_s, settings),
            on_duty="given: the history's agents_staffed column")
    if not queues:
        raise InputError(where, "no queue could be calibrated: " + "; ".join(f"{q}: {r}" for q, r in skipped.items()),
                         "give interval records with abandoned calls and waits before --fit-until")
    src = {"kind": "interval records", "intervals": int(len(history)),
           "first": history["start"].min().isoformat(), "last": history["start"].max().isoformat(), **(source or {})}
    return _evaluate(queues, facts, settings, src, skipped, None)
