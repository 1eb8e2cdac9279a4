"""The handle-time distribution: mean and spread, and is it closer to exponential or lognormal?

Erlang A assumes exponential handle times (coefficient of variation 1).
Real ones are often closer to lognormal (Brown et al. 2005 found it for this
very bank). Both are fitted by maximum likelihood to the positive handle
times and compared by log-likelihood (the lognormal's extra parameter is
charged as AIC does) and by the Kolmogorov–Smirnov distance. The mean
keeps the zero-second calls (they are real work for the queue); the shape fit
cannot use them and says how many it left out. Intervals: the mean's is the
normal one (n is in the thousands); the coefficient of variation's is a
seeded bootstrap over calls.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats

__all__ = ["HandleFit", "fit_handle_times", "handle_from_intervals"]


@dataclass(frozen=True)
class HandleFit:
    mean_s: float
    mean_lower_s: float
    mean_upper_s: float
    cv: float | None
    cv_lower: float | None
    cv_upper: float | None
    calls: int
    zero_calls: int
    lognormal_mu: float | None = None
    lognormal_sigma: float | None = None
    loglik_exponential: float | None = None
    loglik_lognormal: float | None = None
    ks_exponential: float | None = None
    ks_lognormal: float | None = None
    closer_to: str = "exponential"          # what the data say; "unknown" from interval means alone
    confidence: float = 0.95


def fit_handle_times(handle_s: np.ndarray, confidence: float = 0.95, seed: int = 0,
                     bootstrap: int = 200) -> HandleFit:
    """Fit one queue's handle times (answered calls)."""
    h = np.asarray(handle_s, dtype=float)
    h = h[np.isfinite(h)]
    n = h.size
    if n < 2:
        raise ValueError("need at least two handle times")
    z = stats.norm.ppf(0.5 + confidence / 2.0)
    mean, sd = float(h.mean()), float(h.std(ddof=1))
    half = z * sd / np.sqrt(n)
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, n, size=(bootstrap, n))
    boot = h[idx]
    cvs = boot.std(axis=1, ddof=1) / boot.mean(axis=1)
    alpha = (1.0 - confidence) / 2.0
    pos = h[h > 0]
    fit = {}
    if pos.size >= 2:
        logs = np.log(pos)
        mu, sigma = float(logs.mean()), float(logs.std(ddof=0))
        ll_exp = float(stats.expon.logpdf(pos, scale=pos.mean()).sum())
        ll_ln = float(stats.lognorm.logpdf(pos, sigma, scale=np.exp(mu)).sum())
        ks_exp = float(stats.kstest(pos, "expon", args=(0, pos.mean())).statistic)
        ks_ln = float(stats.kstest(pos, "lognorm", args=(sigma, 0, np.exp(mu))).statistic)
        aic_exp, aic_ln = 2 * 1 - 2 * ll_exp, 2 * 2 - 2 * ll_ln
        fit = dict(lognormal_mu=mu, lognormal_sigma=sigma, loglik_exponential=ll_exp, loglik_lognormal=ll_ln,
                   ks_exponential=ks_exp, ks_lognormal=ks_ln,
                   closer_to="lognormal" if aic_ln < aic_exp else "exponential")
    return HandleFit(mean, mean - half, mean + half, sd / mean if mean > 0 else None,
                     float(np.quantile(cvs, alpha)), float(np.quantile(cvs, 1 - alpha)), int(n),
                     int((h <= 0).sum()), confidence=confidence, **fit)


def handle_from_intervals(aht_s: np.ndarray, answered: np.ndarray, confidence: float = 0.95) -> HandleFit:
    """Interval means alone give the mean (weighted by answered calls), not the spread or the shape.

    Interval of the mean: each interval mean varies as σ²/n_i around the pooled
    mean, so σ² ≈ Σ n_i (ā_i − ā)² / (k − 1) and Var(ā) = σ² / Σ n_i (hour-to-hour
    changes in the true mean widen it, on the safe side).
    """
    a = np.asarray(aht_s, dtype=float)
    w = np.asarray(answered, dtype=float)
    ok = np.isfinite(a) & (w > 0)
    a, w = a[ok], w[ok]
    if w.sum() <= 0:
        raise ValueError("no answered calls with a handle time")
    mean = float(np.average(a, weights=w))
    k = a.size
    half = np.nan
    if k > 1:
        sigma2 = float((w * (a - mean) ** 2).sum() / (k - 1))
        half = float(stats.norm.ppf(0.5 + confidence / 2.0) * np.sqrt(sigma2 / w.sum()))
    return HandleFit(mean, mean - half, mean + half, None, None, None, int(w.sum()), 0, closer_to="unknown",
                     confidence=confidence)
