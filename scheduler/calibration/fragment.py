"""`calibration.yaml`: what was estimated, with intervals, and how well it predicted.

The `use` block of each queue holds the figures a site YAML can take with
`auto` (rules/calibration_include.py reads it back); everything else is for
people and for the plan report.
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
import yaml

from scheduler.calibration.calibrate import MODEL_LABELS, CalibrationResult, Estimate, QueueCalibration

__all__ = ["fragment_dict", "fragment_text"]


def _num(value: Any, digits: int = 4) -> Any:
    """Plain floats rounded to `digits` significant digits; NaN and inf become None."""
    if value is None:
        return None
    value = float(value)
    if not math.isfinite(value):
        return None
    if value == 0:
        return 0.0
    return float(f"{value:.{digits}g}")


def _ci(est: Estimate) -> list:
    return [_num(est.lower), _num(est.upper)]


def _errors(errors: pd.DataFrame, queue: str) -> dict:
    out: dict[str, dict] = {}
    part = errors[errors["queue"] == queue]
    for sample in ("fit", "test"):
        rows = part[part["sample"] == sample]
        if rows.empty:
            continue
        block: dict[str, Any] = {"intervals": int(rows["intervals"].iloc[0])}
        for model in rows["model"].unique():
            m = rows[rows["model"] == model]
            block[model] = {r.measure: {"mae": _num(r.mae), "bias": _num(r.bias),
                                        **({"floor_mae": _num(r.floor_mae)} if pd.notna(r.floor_mae) else {})}
                            for r in m.itertuples()}
        out[sample] = block
    return out


def _queue_block(c: QueueCalibration, errors: pd.DataFrame) -> dict:
    p, h = c.patience, c.handle
    use: dict[str, Any] = {"patience_s": _num(p.mean_s), "after_call_s": _num(c.after_call.value)}
    if h.closer_to in ("exponential", "lognormal"):
        use["handle_distribution"] = h.closer_to
        use["handle_cv"] = _num(h.cv)
    patience: dict[str, Any] = {"mean_s": _num(p.mean_s), "ci_s": [_num(p.lower_s), _num(p.upper_s)],
                                "abandoned": int(p.abandoned), "waiting_s": _num(p.waiting_s, 8),
                                "model": "exponential: hazard = abandoned / seconds waited (Garwood interval)"}
    if p.hazard_by_wait:
        patience["mean_patience_by_wait_band_s"] = [
            {"from_s": _num(b["from_s"]), "to_s": _num(b["to_s"]), "mean_patience_s": _num(b["mean_patience_s"]),
             "abandoned": int(b["abandoned"])} for b in p.hazard_by_wait]
    handle: dict[str, Any] = {"mean_s": _num(h.mean_s), "ci_s": [_num(h.mean_lower_s), _num(h.mean_upper_s)],
                              "cv": _num(h.cv), "cv_ci": [_num(h.cv_lower), _num(h.cv_upper)], "calls": h.calls,
                              "zero_second_calls": h.zero_calls, "closer_to": h.closer_to}
    if h.loglik_exponential is not None:
        handle["exponential"] = {"loglik": _num(h.loglik_exponential, 9), "ks_distance": _num(h.ks_exponential)}
        handle["lognormal"] = {"mu": _num(h.lognormal_mu), "sigma": _num(h.lognormal_sigma),
                               "loglik": _num(h.loglik_lognormal, 9), "ks_distance": _num(h.ks_lognormal)}
    avail: dict[str, Any] = {
        "after_call_s": _num(c.after_call.value), "after_call_ci_s": _ci(c.after_call),
        "method": ("measured: Kaplan-Meier mean of the pause between a call's end and the agent's next answer "
                   "while callers waited (censored when the queue emptied first)" if c.after_call_method == "measured"
                   else "fitted: the pause whose Erlang A predictions best explain the fit sample's abandoned and "
                        "answered-within-target counts"),
        "effective_share_of_agents_on_duty": _num(c.availability.value),
        "effective_share_ci": _ci(c.availability),
        "agents_on_duty": c.on_duty,
    }
    if c.pauses is not None:
        avail["pauses_observed"] = c.pauses
        avail["pauses_censored"] = c.censored_pauses
    if c.all_busy_share_of_waiting is not None:
        avail["all_on_duty_busy_share_of_waiting_time"] = _num(c.all_busy_share_of_waiting)
    if c.after_call_fitted_check is not None:
        avail["cross_check_fitted_after_call_s"] = _num(c.after_call_fitted_check.value)
        avail["cross_check_fitted_ci_s"] = _ci(c.after_call_fitted_check)
    avail["constant_factor_fitted"] = _num(c.availability_factor_fit.value)
    avail["constant_factor_ci"] = _ci(c.availability_factor_fit)
    return {"use": use, "patience": patience, "handle": handle, "availability": avail,
            "backtest": _errors(errors, c.queue)}


def fragment_dict(result: CalibrationResult, command: str = "") -> dict:
    s = result.settings
    queues = {q: _queue_block(c, result.errors) for q, c in result.queues.items()}
    body: dict[str, Any] = {
        "version": 1,
        "command": command,
        "source": {k: (v if not isinstance(v, (float, np.floating)) else _num(v)) for k, v in result.source.items()},
        "settings": {"interval_min": s.interval_min, "target_s": _num(s.target_s), "fit_until": s.fit_until.isoformat(),
                     "days": list(s.days), "min_offered": _num(s.min_offered),
                     "session_gap_min": _num(s.session_gap_s / 60.0), "confidence": s.confidence,
                     "seed": s.seed, "floor_replications": s.floor_replications},
        "models": dict(MODEL_LABELS),
        "queues": queues,
        "backtest_all_queues": _errors(result.errors, "all"),
    }
    if result.skipped:
        body["skipped"] = dict(result.skipped)
    return {"calibration": body}


HEADER = """\
# Calibration of the staffing model from the centre's own records (run_schedule.py calibrate).
# A site YAML includes it with a top-level `calibration: <path to this file>` and takes a
# queue's calibrated figure with `auto`, e.g.
#   service_goal: {service_level: 0.8, target_s: 20, patience_s: auto, after_call_s: auto}
# (`calibration_queue: <id>` on the queue when its id here differs). Only `use` figures are taken.
"""


def fragment_text(result: CalibrationResult, command: str = "") -> str:
    return HEADER + yaml.safe_dump(fragment_dict(result, command), sort_keys=False, allow_unicode=True, width=110,
                                  default_flow_style=None)
