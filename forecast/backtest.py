"""Rolling-origin backtest per queue, model choice, and interval calibration.

Each origin refits every candidate on the history before it and forecasts the
next days at once, as the batch will. The model with the lowest WAPE over the
origins is chosen; interval widths are calibrated on the backtest's own
errors, and the reported coverage is leave-one-origin-out so it is not
flattered by that calibration.
"""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy.stats import norm

from forecast import metrics
from forecast.models.base import Prediction
from forecast.models.ensemble import Ensemble, combine
from forecast.models.registry import BASELINES, MIN_DAYS, make_model
from forecast.panel import Panel

log = logging.getLogger(__name__)

LEVELS = (80.0, 95.0)
MIN_TRAIN_DAYS = 7
MAX_BACKTEST_HORIZON = 14
SCALE_LIMITS = (0.5, 4.0)
CALIBRATION_PRIOR_ORIGINS = 3.0
ENSEMBLE = "ensemble"


@dataclass
class BacktestResult:
    """Accuracy per model (and per horizon day; horizon_day 0 = all days) and the choice made."""

    queue: str
    metrics: pd.DataFrame
    chosen: str
    scales: dict[str, dict[float, float]] = field(default_factory=dict)
    loses_to_naive: bool = False
    origins: list[str] = field(default_factory=list)
    seconds: float = 0.0
    note: str = ""


def eligible(models: tuple[str, ...], days: int) -> list[str]:
    return [m for m in models if days >= MIN_DAYS.get(m, 21)]


def fit_predict(panel: Panel, models: list[str], dates: np.ndarray) -> dict[str, Prediction]:
    """Predictions of every model for `dates`; ensembles reuse members fitted here."""
    out: dict[str, Prediction] = {}
    for name in models:
        model = make_model(name)
        if isinstance(model, Ensemble) and all(m in out for m in model.members):
            out[name] = combine([out[m] for m in model.members])
            continue
        try:
            out[name] = model.fit(panel).predict(dates)
        except Exception as exc:   # one model failing must not sink the queue
            log.warning("%s: model %s failed (%s: %s); left out", panel.queue, name, type(exc).__name__, exc)
    return out


def origin_dates(panel: Panel, horizon: int, origins: int, step: int) -> list[np.datetime64]:
    end = panel.dates[-1] + np.timedelta64(1, "D")
    result = []
    for k in range(origins):
        origin = end - np.timedelta64(horizon + k * step, "D")
        if (origin - panel.dates[0]).astype(int) >= MIN_TRAIN_DAYS:
            result.append(origin)
    return sorted(result)


def calibration_scale(z: np.ndarray, level: float, origins: int) -> float:
    """Factor on sd so that |error| / sd stays within the level's z for `level`% of points.

    Shrunk towards 1 (the model's own sd) by how many origins back it: errors
    within an origin share its level error, so three origins are three pieces
    of evidence, not thousands; CALIBRATION_PRIOR_ORIGINS is the weight of the
    model's own sd.
    """
    z = z[np.isfinite(z)]
    if z.size < 20 or origins < 1:
        return 1.0
    target = norm.ppf(0.5 + level / 200.0)
    raw = float(np.clip(np.quantile(z, level / 100.0) / target, *SCALE_LIMITS))
    weight = origins / (origins + CALIBRATION_PRIOR_ORIGINS)
    return 1.0 + (raw - 1.0) * weight


def run_backtest(panel: Panel, models: tuple[str, ...], horizon_days: int, origins: int = 3,
                 step_days: int = 7) -> BacktestResult:
    """Rolling-origin backtest of `models` on one queue; chooses the best WAPE."""
    t0 = time.perf_counter()
    days = len(panel.dates)
    horizon = max(1, min(horizon_days, MAX_BACKTEST_HORIZON, days - MIN_TRAIN_DAYS))
    starts = origin_dates(panel, horizon, origins, step_days)
    rows: dict[str, list[np.ndarray]] = {}
    if not starts:
        fallback = "seasonal_average" if "seasonal_average" in models else models[0]
        return BacktestResult(panel.queue, pd.DataFrame(), fallback, note="history too short to backtest",
                              seconds=time.perf_counter() - t0)
    for k, origin in enumerate(starts):
        train = panel.truncate(origin)
        test_mask = panel.slice_dates(origin, origin + np.timedelta64(horizon, "D"))
        dates = panel.dates[test_mask]
        actual = panel.y[test_mask]
        scored = np.isfinite(actual) & panel.open_cells[test_mask]
        scale = metrics.naive_scale(np.where(train.open_cells, train.y, np.nan))
        preds = fit_predict(train, eligible(models, len(train.dates)), dates)
        for name, pred in preds.items():
            keep = scored & ~pred.closed[:, None]
            d_idx, _ = np.nonzero(keep)
            rows.setdefault(name, []).append(np.column_stack([
                np.full(d_idx.size, k), (dates[d_idx] - origin).astype(int) + 1,
                pred.mean[keep], actual[keep], pred.sd[keep], np.full(d_idx.size, scale)]))
            # A day forecast closed that had volume counts as a full miss.
            missed = scored & pred.closed[:, None]
            if missed.any():
                m_idx, _ = np.nonzero(missed)
                rows[name].append(np.column_stack([
                    np.full(m_idx.size, k), (dates[m_idx] - origin).astype(int) + 1,
                    np.zeros(m_idx.size), actual[missed], np.zeros(m_idx.size), np.full(m_idx.size, scale)]))
    data = {n: np.vstack(v) for n, v in rows.items() if v}
    table, scales = summarise(panel.queue, data, len(starts))
    chosen, loses = choose(table, models, per_origin_wape(data))
    result = BacktestResult(panel.queue, table, chosen, scales, loses,
                            [str(s) for s in starts], time.perf_counter() - t0)
    if loses and np.nansum(panel.y) > 0:
        log.warning("%s: no model beats seasonal naive in the backtest; using %s", panel.queue, chosen)
    return result


def summarise(queue: str, data: dict[str, np.ndarray], n_origins: int) -> tuple[pd.DataFrame, dict]:
    """Metrics per model and horizon day, with leave-one-origin-out calibrated coverage."""
    records = []
    scales: dict[str, dict[float, float]] = {}
    for name, arr in data.items():
        origin, hday, f, a, sd, scale = arr.T
        with np.errstate(divide="ignore", invalid="ignore"):
            z = np.where(sd > 0, np.abs(a - f) / sd, np.where(a == f, 0.0, np.inf))
        n_scored = len(np.unique(origin))
        scales[name] = {lvl: calibration_scale(z, lvl, n_scored) for lvl in LEVELS}
        inside = {}
        for lvl in LEVELS:
            zc = np.empty_like(z)
            for k in np.unique(origin):
                own = origin == k
                others = z[~own] if n_origins > 1 else z
                s = calibration_scale(others, lvl, n_scored - 1) if n_scored > 1 else 1.0
                zc[own] = z[own] / s
            inside[lvl] = zc <= norm.ppf(0.5 + lvl / 200.0)
        for h in [0] + sorted(np.unique(hday).astype(int).tolist()):
            sel = np.ones(len(a), dtype=bool) if h == 0 else hday == h
            if not sel.any():
                continue
            with np.errstate(divide="ignore", invalid="ignore"):
                scaled = np.abs(f[sel] - a[sel]) / scale[sel]
            records.append({
                "queue": queue, "model": name, "horizon_day": h,
                "wape": metrics.wape(f[sel], a[sel]),
                "mase": float(np.nanmean(scaled)) if np.isfinite(scaled).any() else float("nan"),
                "bias": metrics.bias(f[sel], a[sel]),
                "coverage80": float(inside[80.0][sel].mean()), "coverage95": float(inside[95.0][sel].mean()),
                "mae": float(np.mean(np.abs(f[sel] - a[sel]))),
                "n_origins": int(len(np.unique(origin[sel]))), "n_points": int(sel.sum()),
            })
    return pd.DataFrame.from_records(records), scales


def per_origin_wape(data: dict[str, np.ndarray]) -> dict[str, dict[int, float]]:
    """WAPE of each model at each origin it was scored on (NaN where the origin had no volume)."""
    out = {}
    for name, arr in data.items():
        origin, f, a = arr[:, 0], arr[:, 2], arr[:, 3]
        out[name] = {int(k): metrics.wape(f[origin == k], a[origin == k]) for k in np.unique(origin)}
    return out


def clearly_better(best: dict[int, float], other: dict[int, float]) -> bool:
    """True when `best` beats `other` on their common origins by more than twice the standard error."""
    common = sorted(set(best) & set(other))
    diff = np.array([other[k] - best[k] for k in common])
    diff = diff[np.isfinite(diff)]
    if diff.size < 2:
        return diff.size == 1 and diff[0] > 0
    return float(diff.mean()) > 2.0 * float(diff.std(ddof=1)) / np.sqrt(diff.size)


def choose(table: pd.DataFrame, models: tuple[str, ...],
           origin_wape: dict[str, dict[int, float]] | None = None) -> tuple[str, bool]:
    """Lowest WAPE over all backtest days (MAE when the queue had no volume); ties go to the simpler model.

    A single model must beat the ensemble clearly (beyond twice the standard
    error of their per-origin difference) to be chosen over it: with a few
    origins the ranking of close models is mostly noise, and the combination
    is the safer bet when the evidence does not separate them.
    """
    overall = table[table["horizon_day"] == 0].set_index("model")
    if overall.empty:
        return models[0], False
    # Compare like with like: only models scored at every origin (some need more history).
    overall = overall[overall["n_origins"] == overall["n_origins"].max()]
    score = overall["wape"] if overall["wape"].notna().all() else overall["mae"]
    order = {name: i for i, name in enumerate(models)}
    ranked = sorted(score.index, key=lambda m: (round(float(score[m]), 6), order.get(m, 99)))
    chosen = ranked[0]
    if (origin_wape and chosen != ENSEMBLE and ENSEMBLE in score.index and chosen in origin_wape
            and ENSEMBLE in origin_wape and overall["wape"].notna().all()
            and not clearly_better(origin_wape[chosen], origin_wape[ENSEMBLE])):
        chosen = ENSEMBLE
    naive = BASELINES[0]
    # Flag: the run's forecast did not beat "same interval last week" where it was tried.
    loses = bool(naive in score.index and len(ranked) > 1
                 and (chosen == naive or score[chosen] > score[naive]))
    table["chosen"] = table["model"] == chosen
    table["loses_to_naive"] = table["model"].map(lambda m: _worse_than_naive(m, naive, origin_wape))
    return chosen, loses


def _worse_than_naive(model: str, naive: str, origin_wape: dict[str, dict[int, float]] | None) -> bool:
    """Mean WAPE over the origins both were scored on is higher than seasonal naive's."""
    if not origin_wape or model == naive or model not in origin_wape or naive not in origin_wape:
        return False
    common = sorted(set(origin_wape[model]) & set(origin_wape[naive]))
    diff = [origin_wape[model][k] - origin_wape[naive][k] for k in common]
    diff = [d for d in diff if np.isfinite(d)]
    return bool(diff) and float(np.mean(diff)) > 0
