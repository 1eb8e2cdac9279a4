"""Report section: service level, ASA, abandonment and occupancy per interval: the formulas and the simulation."""
from __future__ import annotations

import numpy as np
import pandas as pd

from pipeline.plan import PlanOutcome
from reports.htmlkit import WeekAxis, esc, legend, local_span, nice_ticks, polyline, svg_open, table, y_axis

WIDTH = 1400
LEFT = 58
FORMULA, SIMULATED, GOAL = "#0b5cab", "#d64545", "#127a3a"


def measure_chart(outcome: PlanOutcome, queue: str, series: list[tuple[str, str, str]], label: str,
                  band: tuple[str, str] | None = None, goal: float | None = None, share: bool = False,
                  height: int = 170, fmt: str = "g") -> str:
    site = outcome.inputs.site
    part = outcome.evaluation[outcome.evaluation["queue"] == queue].sort_values("start")
    columns = [c for c, _, _ in series if c in part and part[c].notna().any()]
    if part.empty or not columns:
        return ""
    first, last = local_span(part["start"], site.interval_min)
    axis = WeekAxis(outcome.dates, first, last, LEFT, WIDTH - 10)
    top, bottom = 18, height - 20
    values = np.concatenate([part[c].to_numpy(float) for c in columns])
    values = values[np.isfinite(values)]
    high = 1.0 if share else float(np.nanpercentile(values, 98)) * 1.1 if len(values) else 1.0
    ticks = [0, 0.2, 0.4, 0.6, 0.8, 1.0] if share else nice_ticks(max(high, 1e-6))
    y = lambda v: bottom - (bottom - top) * min(max(v, 0), ticks[-1]) / ticks[-1]
    parts = [svg_open(WIDTH, height, f"{label} for {queue}"),
             y_axis(ticks, y, LEFT, WIDTH - 10, label, ".0%" if share else fmt), axis.ticks(top, bottom)]
    half = pd.Timedelta(minutes=site.interval_min / 2)
    if band is not None and band[0] in part:
        days: dict[int, tuple[list, list]] = {}
        for row in part[["start", band[0], band[1]]].itertuples(index=False):
            at = axis.x_of(pd.Timestamp(row[0]) + half)
            if at is not None and pd.notna(row[1]):
                lo, hi = days.setdefault(at[0], ([], []))
                lo.append((at[1], y(row[1])))
                hi.append((at[1], y(row[2])))
        for lo, hi in days.values():
            parts.append('<polygon points="' + " ".join(f"{x:.1f},{v:.1f}" for x, v in lo + hi[::-1])
                         + f'" fill="{SIMULATED}" fill-opacity="0.15"/>')
    if goal is not None:
        parts.append(f'<line x1="{LEFT}" x2="{WIDTH - 10}" y1="{y(goal):.1f}" y2="{y(goal):.1f}" stroke="{GOAL}" '
                     f'stroke-dasharray="6 4" stroke-width="1.3"/>')
    for column, colour, dash in series:
        if column not in columns:
            continue
        days_points: dict[int, list] = {}
        for start, value in zip(part["start"], part[column]):
            at = axis.x_of(pd.Timestamp(start) + half)
            if at is not None and np.isfinite(value):
                days_points.setdefault(at[0], []).append((at[1], y(float(value))))
        parts += [polyline(points, colour, 1.6, dash) for points in days_points.values()]
    parts.append("</svg>")
    return "".join(parts)


def render(outcome: PlanOutcome) -> str:
    site = outcome.inputs.site
    summary = outcome.summary
    view = pd.DataFrame({
        "queue": summary["queue"], "contacts": summary["contacts"],
        "goal": [f"{q.service_goal.deadline_share:.0%} within {q.service_goal.deadline_s / 3600:g} h"
                 if q.service_goal.deadline_s else f"{q.service_goal.service_level:.0%} in {q.service_goal.target_s:g} s"
                 for q in site.queues],
        "projected SL": summary["projected_sl"], "simulated SL": summary["simulated_sl"],
        "projected ASA s": summary["projected_asa_s"], "simulated ASA s": summary["simulated_asa_s"],
        "projected abandon": summary["projected_abandon"], "simulated abandon": summary["simulated_abandon"],
        "projected occupancy": summary["projected_occupancy"],
    })
    out = ['<h2 id="service">Service per interval: formula and simulation</h2>',
           f'<p class="note">Times are local ({esc(site.timezone)}). Formula: Erlang C, Erlang A (voice with patience) or the chat slot model, at the '
           'roster\'s agents on the floor after shrinkage, interpolated between whole agents. Simulation: a seeded '
           'discrete-event simulation of the same agents over each day (queues carry over between intervals), '
           'with its 95% interval as a band. Email is the backlog model\'s on-time share. Week figures are '
           'weighted by contacts.</p>',
           table(view, {"contacts": ",.0f", "projected SL": ".1%", "simulated SL": ".1%", "projected ASA s": ".1f",
                        "simulated ASA s": ".1f", "projected abandon": ".2%", "simulated abandon": ".2%",
                        "projected occupancy": ".1%"}),
           legend([(FORMULA, "formula"), (SIMULATED, "simulation (band: 95% interval)"), (GOAL, "goal (dashed)")])]
    for queue in site.queues:
        goal = queue.service_goal
        target = goal.deadline_share if goal.deadline_s else goal.service_level
        out.append(f"<h3>{esc(queue.name)} ({esc(queue.id)})</h3>")
        out.append(measure_chart(outcome, queue.id, [("projected_sl", FORMULA, ""), ("sim_service_level", SIMULATED, "")],
                                 "service level", band=("sim_service_level_lo", "sim_service_level_hi"),
                                 goal=target, share=True))
        if goal.deadline_s:
            continue
        out.append(measure_chart(outcome, queue.id, [("projected_asa_s", FORMULA, ""), ("sim_asa_s", SIMULATED, "")],
                                 "ASA (s)", goal=goal.asa_s, height=140))
        if goal.patience_s:
            out.append(measure_chart(outcome, queue.id, [("projected_abandon", FORMULA, ""),
                                                         ("sim_abandon_rate", SIMULATED, "")],
                                     "abandoned", goal=goal.max_abandon, height=140, fmt=".1%"))
        out.append(measure_chart(outcome, queue.id, [("projected_occupancy", FORMULA, "")], "occupancy",
                                 goal=goal.max_occupancy, share=True, height=140))
    return "\n".join(out)
