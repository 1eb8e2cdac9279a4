"""Evaluate our formulas on every row of a published Erlang reference table.

The table (tests/fixtures/erlang_reference.csv, copied from shared data with
its sources named) holds values printed by an online Erlang calculator and by
pyworkforce's tests. Agreement means |ours − published| ≤ the row's tolerance
(half a unit of the last printed digit). Where a source computes with a
different convention, the row is also evaluated under that convention so the
disagreement is explained, not hidden:

- callcentretools.com rounds the offered load to 3 decimals before computing
  (its note says "site shows A=57.111"); `ours_site_convention` recomputes
  with that rounded load.

Run `python -m scheduler.staffing.reference_check [csv]` for the summary.
"""
from __future__ import annotations

import re
import sys
from pathlib import Path

import numpy as np
import pandas as pd

from scheduler.staffing import erlang_a, erlang_c

DEFAULT_TABLE = Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "erlang_reference.csv"


def _value(row: pd.Series, load: float) -> float:
    aht = float(row["aht_seconds"])
    metric = row["metric"]
    target = float(row["target_seconds"]) if pd.notna(row["target_seconds"]) else 0.0
    if metric.startswith("agents_required"):
        sl, occ = re.match(r"agents_required_sl(\d+)_occ(\d+)", metric).groups()
        return float(erlang_c.agents_required(np.array([load]), np.array([aht]), service_level=int(sl) / 100,
                                              target_s=target, max_occupancy=int(occ) / 100)[0])
    n = np.array([float(row["agents"])])
    if row["model"] == "erlang_a":
        m = erlang_a.metrics(n, np.array([load]), np.array([aht]), float(row["patience_seconds"]), target)
    elif row["model"] == "erlang_c":
        m = erlang_c.metrics(n, np.array([load]), np.array([aht]), target)
    else:  # erlang_b
        return float(erlang_c.erlang_b(n, np.array([load]))[0])
    key = {"service_level": "service_level", "asa_seconds": "asa_s", "pwait": "prob_wait",
           "occupancy": "occupancy", "abandon_probability": "prob_abandon"}.get(metric)
    if metric == "answered_immediately":
        return float(1.0 - m["prob_wait"][0])
    if key is None:
        raise ValueError(f"unknown metric {metric!r}")
    return float(m[key][0])


def evaluate(path: Path = DEFAULT_TABLE) -> pd.DataFrame:
    """One row per reference value: ours, the difference, and whether it agrees (also under the source's convention)."""
    table = pd.read_csv(path)
    out = table.copy()
    ours, site = [], []
    for _, row in table.iterrows():
        load = float(row["calls_per_interval"]) * float(row["aht_seconds"]) / float(row["interval_seconds"])
        ours.append(_value(row, load))
        rounded = "rounded to 3 dp" in str(row.get("note", ""))
        site.append(_value(row, round(load, 3)) if rounded else np.nan)
    out["ours"] = ours
    out["ours_site_convention"] = site
    out["diff"] = out["ours"] - out["value"]
    out["agrees"] = out["diff"].abs() <= out["tolerance"] + 1e-12
    out["agrees_site_convention"] = (out["ours_site_convention"] - out["value"]).abs() <= out["tolerance"] + 1e-12
    return out


def summary(result: pd.DataFrame) -> str:
    lines = [f"reference agreement: {int(result['agrees'].sum())} of {len(result)} within the stated tolerance"]
    for _, r in result[~result["agrees"]].iterrows():
        lines.append(
            f"  differs: {r['model']} {r['metric']} calls={r['calls_per_interval']} aht={r['aht_seconds']} "
            f"agents={r['agents']}: published {r['value']}, ours {r['ours']:.6g} (tolerance {r['tolerance']}); "
            + (f"with the source's rounded load ours is {r['ours_site_convention']:.6g} -> agrees"
               if r["agrees_site_convention"] else "unexplained"))
    return "\n".join(lines)


if __name__ == "__main__":  # pragma: no cover
    print(summary(evaluate(Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_TABLE)))
