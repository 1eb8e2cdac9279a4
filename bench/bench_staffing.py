"""Staffing speed: agents required for 100,000 intervals, ours vs pyworkforce, same inputs, same run.

Inputs (seeded): offered loads log-uniform on 0.5–2,000 Erlangs, AHT uniform on
120–600 s, 30-minute intervals; goal 80% within 20 s and occupancy ≤ 85%
(Erlang A: patience 120 s, 80/20 and abandonment ≤ 5%). pyworkforce's ErlangC
(the [bench] extra) runs the same Erlang C goal on every interval, one at a
time as its API requires; its answers are compared with ours as well.
Set WFM_BENCH_QUICK=1 to time pyworkforce on a seeded 5,000-interval sample of
the same inputs instead of all of them.

    python -m bench.bench_staffing
"""
from __future__ import annotations

import os
import time

import numpy as np

from scheduler.staffing import erlang_a, erlang_c
from scheduler.staffing.reference_check import evaluate

N_INTERVALS = 100_000
INTERVAL_S = 1800.0


def inputs(n: int = N_INTERVALS, seed: int = 20260610) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    load = np.exp(rng.uniform(np.log(0.5), np.log(2000.0), n))
    aht = rng.uniform(120.0, 600.0, n)
    calls = load * INTERVAL_S / aht
    return calls, aht, load


def _best_of(fn, repeats: int = 3) -> tuple[float, np.ndarray]:
    best, result = np.inf, None
    for _ in range(repeats):
        t0 = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - t0)
    return best, result


def _pyworkforce(calls: np.ndarray, aht: np.ndarray) -> tuple[float, np.ndarray] | None:
    try:
        from pyworkforce.queuing import ErlangC
    except ImportError:
        return None
    out = np.empty(calls.size, dtype=np.int64)
    t0 = time.perf_counter()
    for i, (c, h) in enumerate(zip(calls, aht)):
        req = ErlangC(transactions=float(c), aht=float(h) / 60.0, asa=20.0 / 60.0, interval=30)
        out[i] = req.required_positions(service_level=0.8, max_occupancy=0.85)["raw_positions"]
    return time.perf_counter() - t0, out


def run() -> list[dict]:
    calls, aht, load = inputs()
    n = load.size
    t_c, ours_c = _best_of(lambda: erlang_c.agents_required(load, aht, service_level=0.8, target_s=20.0,
                                                            max_occupancy=0.85))
    t_a, _ = _best_of(lambda: erlang_a.agents_required(load, aht, 120.0, service_level=0.8, target_s=20.0,
                                                       max_abandon=0.05), repeats=1)
    ours_c_rate, ours_a_rate = n / t_c, n / t_a
    sample = np.arange(n)
    if os.environ.get("WFM_BENCH_QUICK"):
        sample = np.sort(np.random.default_rng(1).choice(n, 5_000, replace=False))
    peer = _pyworkforce(calls[sample], aht[sample])
    rows = []
    if peer is None:
        rows.append({"name": "staffing: Erlang C agents required (100k intervals)", "value": ours_c_rate,
                     "unit": "intervals/s", "baseline_name": "pyworkforce ErlangC (not installed)",
                     "baseline_value": None, "ratio": None})
    else:
        t_peer, peer_n = peer
        peer_rate = sample.size / t_peer
        rows.append({"name": "staffing: Erlang C agents required (100k intervals)", "value": ours_c_rate,
                     "unit": "intervals/s", "baseline_name": f"pyworkforce ErlangC ({sample.size:,} intervals)",
                     "baseline_value": peer_rate, "ratio": ours_c_rate / peer_rate})
        same = float(np.mean(peer_n == ours_c[sample]) * 100.0)
        rows.append({"name": "staffing: Erlang C requirement identical to pyworkforce", "value": same,
                     "unit": "% of intervals", "baseline_name": None, "baseline_value": None, "ratio": None})
    rows.append({"name": "staffing: Erlang A agents required (100k intervals)", "value": ours_a_rate,
                 "unit": "intervals/s", "baseline_name": None, "baseline_value": None, "ratio": None})
    ref = evaluate()
    rows.append({"name": "staffing: published Erlang values agreeing within tolerance",
                 "value": float(ref["agrees"].sum()), "unit": f"of {len(ref)}", "baseline_name": None, "baseline_value": None, "ratio": None})
    return rows


def _fmt(v) -> str:
    if v is None:
        return "-"
    return f"{v:,.1f}" if isinstance(v, float) else str(v)


if __name__ == "__main__":  # pragma: no cover
    table = run()
    for row in table:
        ratio = f"{row['ratio']:.0f}x" if row["ratio"] else "-"
        print(f"{row['name']:<62} {_fmt(row['value']):>14} {row['unit']:<15} "
              f"vs {row['baseline_name'] or '-'}: {_fmt(row['baseline_value'])}  ratio {ratio}")
