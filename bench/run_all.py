"""`make bench`: run every benchmark and print each result beside its baseline as a ratio.

Each benchmark module exposes `run() -> list[dict]` with keys name, value, unit,
baseline_name, baseline_value, ratio (baselines are measured in the same run).
A module whose data is missing (../shared/data) reports that and is skipped.
"""
from __future__ import annotations

import importlib
import logging
import sys
import time

MODULES = ["bench.bench_staffing", "bench.bench_forecast", "bench.bench_roster", "bench.bench_curtois_planted", "bench.bench_roster_scale", "bench.bench_fairness", "bench.bench_intraday", "bench.bench_calibration",
           "bench.bench_surge", "bench.bench_planted_weeks"]


def _fmt(value) -> str:
    if isinstance(value, float):
        return f"{value:,.4g}" if abs(value) < 1000 else f"{value:,.0f}"
    return str(value)


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(message)s")
    wanted = set(argv if argv is not None else sys.argv[1:])
    failed = 0
    from bench.machine import describe
    print(describe(), flush=True)    # the wall times against a limit below depend on it; the ratios do not
    for name in MODULES:
        if wanted and name.split(".")[-1] not in wanted and name not in wanted:
            continue
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            print(f"{name}: not available ({exc})")
            continue
        print(f"\n== {name} ==", flush=True)
        started = time.perf_counter()
        try:
            rows = module.run()
        except Exception as exc:  # a broken benchmark must not hide the others' results
            failed += 1
            print(f"  FAILED: {type(exc).__name__}: {exc}")
            continue
        for row in rows:
            ratio = row.get("ratio")
            ratio_text = f"ratio {ratio:,.3g}" if isinstance(ratio, (int, float)) else "ratio -"
            print(f"  {row['name']}: {_fmt(row['value'])} {row.get('unit', '')}  |  baseline "
                  f"{row.get('baseline_name', '-')}: {_fmt(row.get('baseline_value', '-'))}  |  {ratio_text}")
        print(f"  ({time.perf_counter() - started:.1f} s)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
