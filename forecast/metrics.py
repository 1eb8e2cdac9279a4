"""Forecast accuracy measures, on arrays of matching forecasts and actuals."""
from __future__ import annotations

import numpy as np


def wape(forecast: np.ndarray, actual: np.ndarray) -> float:
    """Σ|f − a| / Σa: errors weighted by volume, so quiet night intervals do not dominate."""
    total = float(np.sum(actual))
    return float(np.sum(np.abs(forecast - actual)) / total) if total > 0 else float("nan")


def bias(forecast: np.ndarray, actual: np.ndarray) -> float:
    """Σ(f − a) / Σa: positive means over-forecast (overstaffing)."""
    total = float(np.sum(actual))
    return float(np.sum(forecast - actual) / total) if total > 0 else float("nan")


def mase(forecast: np.ndarray, actual: np.ndarray, scale: float) -> float:
    """Mean absolute error over the in-sample MAE of seasonal naive (same interval a week earlier)."""
    if not np.isfinite(scale) or scale <= 0 or len(actual) == 0:
        return float("nan")
    return float(np.mean(np.abs(forecast - actual)) / scale)


def coverage(actual: np.ndarray, lower: np.ndarray, upper: np.ndarray) -> float:
    """Share of actuals inside [lower, upper]."""
    if len(actual) == 0:
        return float("nan")
    return float(np.mean((actual >= lower) & (actual <= upper)))


def naive_scale(y: np.ndarray) -> float:
    """In-sample MAE of the weekly seasonal naive on a day × slot matrix (NaN pairs skipped)."""
    if len(y) <= 7:
        return float("nan")
    diff = np.abs(y[7:] - y[:-7])
    diff = diff[np.isfinite(diff)]
    return float(diff.mean()) if diff.size else float("nan")
