"""The comparison of a scenario run: one row per scenario beside the base, as a table, CSV and terminal text."""
from __future__ import annotations

import math

import pandas as pd

from scenarios.runner import ScenarioRun

LEAD = ["scenario", "status", "changes"]


def comparison_frame(run: ScenarioRun) -> pd.DataFrame:
    """One row per run (base first): every measure of scenarios.run.plan_metrics, wall time, errors."""
    rows = []
    for r in run.results:
        row = {"scenario": r.name, "status": r.status, "changes": r.changes}
        row.update(r.metrics)
        row["wall seconds"] = r.wall_s
        row["error"] = r.error
        rows.append(row)
    frame = pd.DataFrame(rows)
    if "labour cost" in frame:
        frame = frame.rename(columns={"labour cost": f"labour cost {run.currency}".strip()})
    return frame


def _cell(value, kind: str) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    if kind == "pct":
        return f"{value:.1%}"
    if kind == "int":
        return f"{value:,.0f}"
    if kind == "1":
        return f"{value:,.1f}"
    return str(value)


def terminal_table(run: ScenarioRun) -> str:
    """The key measures, one line per scenario, for the terminal."""
    frame = comparison_frame(run)
    cost = next((c for c in frame.columns if c.startswith("labour cost")), "labour cost")
    queues = [c[:-len(" projected SL")] for c in frame.columns if c.endswith(" projected SL")]
    columns = [("required FTE", "FTE req", "1"), ("paid hours", "paid h", "int"), (cost, cost.replace("labour ", ""), "int"),
               ("coverage", "cover", "pct"), ("intervals short", "short", "int")]
    columns += [(f"{q} projected SL", f"{q} SL", "pct") for q in queues]
    columns += [(f"{q} simulated SL", f"{q} sim", "pct") for q in queues]
    columns += [("rule violations", "viol", "int"), ("solver", "solver", "str"), ("wall seconds", "wall s", "int")]
    columns = [c for c in columns if c[0] in frame.columns]
    table = [["scenario"] + [label for _, label, _ in columns]]
    for row in frame.to_dict("records"):
        if row["status"] != "ok":
            table.append([row["scenario"], f"FAILED: {row['error'].splitlines()[0]}"])
            continue
        table.append([row["scenario"]] + [_cell(row.get(key), kind) for key, _, kind in columns])
    full = [line for line in table if len(line) == len(table[0])]   # a failed row's message may run long
    widths = [max(len(line[i]) for line in full) for i in range(len(table[0]))]
    widths[0] = min(widths[0], 34)
    lines = []
    for line in table:
        cells = [line[0][:34].ljust(widths[0])] + [c.rjust(w) for c, w in zip(line[1:], widths[1:])]
        lines.append("  ".join(cells) if len(line) > 2 or line is table[0] else f"{cells[0]}  {line[1]}")
    for row in frame.to_dict("records"):
        if isinstance(row.get("headcount search"), str):
            lines.append(f"{row['scenario']}: {row['headcount search']}")
    lines.append(f"{len(run.results) - 1} scenario(s) + base on {run.executor} ({run.solver_threads} solver "
                 f"thread(s) each, time limit {run.time_limit_s or 'from the site YAML'}): {run.wall_s:.0f} s wall, "
                 f"forecast once in {run.forecast_s:.1f} s")
    return "\n".join(lines)
