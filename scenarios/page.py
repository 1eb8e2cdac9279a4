"""`scenarios.html`: the base and every scenario side by side, with a link to each plan's own report."""
from __future__ import annotations

import math

import pandas as pd

from reports.htmlkit import collapsed, esc, legend, nice_ticks, page, svg_open, table
from scenarios.compare import comparison_frame
from scenarios.runner import ScenarioRun

PERCENT_ROWS = ("coverage", " SL", " abandon", "spread unmet preferences", "gap")


def _fmt(measure: str, value) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (int, float)):
        if any(measure.endswith(s) or measure == s.strip() for s in PERCENT_ROWS):
            return f"{value:.1%}"
        if "seconds" in measure or "ASA" in measure or "FTE" in measure or "spread" in measure:
            return f"{value:,.1f}"
        return f"{value:,.0f}"
    return str(value)


def _delta(measure: str, value, base) -> str:
    """The change against the base, for numeric measures (percentage points for shares)."""
    if not isinstance(value, (int, float)) or not isinstance(base, (int, float)) or isinstance(value, bool):
        return ""
    if any(math.isnan(v) for v in (float(value), float(base))) or value == base:
        return ""
    if any(measure.endswith(s) or measure == s.strip() for s in PERCENT_ROWS):
        return f" ({(value - base) * 100:+.1f} pp)"
    whole = float(value).is_integer() and float(base).is_integer()
    return f" ({value - base:+,.1f})" if abs(value - base) < 100 and not whole else f" ({value - base:+,.0f})"


def cost_service_chart(frame: pd.DataFrame, cost_column: str, queues: list[str]) -> str:
    """Labour cost (bars) and each queue's projected service level (dots) per scenario."""
    ok = frame[frame["status"] == "ok"]
    if ok.empty:
        return ""
    width, height, left, right, top, bottom = 1100, 300, 70, 60, 16, 90
    n = len(ok)
    step = (width - left - right) / n
    cost_ticks = nice_ticks(float(ok[cost_column].max()) or 1.0)
    cost_top = cost_ticks[-1]
    plot_h = height - top - bottom
    y_cost = lambda v: top + plot_h * (1 - v / cost_top)
    y_sl = lambda v: top + plot_h * (1 - v)
    colours = ["#0b5cab", "#d64545", "#2bb0a8", "#8e6ad8"]
    parts = [svg_open(width, height, "labour cost and projected service level per scenario")]
    for v in cost_ticks:
        parts.append(f'<line x1="{left}" x2="{width - right}" y1="{y_cost(v):.1f}" y2="{y_cost(v):.1f}" stroke="#e4e7eb"/>'
                     f'<text x="{left - 4}" y="{y_cost(v) + 3:.1f}" font-size="10" text-anchor="end">{v:,.0f}</text>')
    for k in range(0, 6):
        parts.append(f'<text x="{width - right + 4}" y="{y_sl(k / 5) + 3:.1f}" font-size="10">{k * 20}%</text>')
    parts.append(f'<text transform="translate(12,{top + plot_h / 2:.0f}) rotate(-90)" font-size="10.5" '
                 f'text-anchor="middle" fill="#52606d">{esc(cost_column)}</text>'
                 f'<text transform="translate({width - 8},{top + plot_h / 2:.0f}) rotate(90)" font-size="10.5" '
                 f'text-anchor="middle" fill="#52606d">projected service level</text>')
    for i, row in enumerate(ok.to_dict("records")):
        x = left + i * step
        parts.append(f'<rect x="{x + step * 0.2:.1f}" y="{y_cost(row[cost_column]):.1f}" width="{step * 0.6:.1f}" '
                     f'height="{top + plot_h - y_cost(row[cost_column]):.1f}" fill="#cbd2d9">'
                     f'<title>{esc(row["scenario"])}: {row[cost_column]:,.0f}</title></rect>')
        for j, queue in enumerate(queues):
            value = row.get(f"{queue} projected SL")
            if value is not None and not math.isnan(value):
                parts.append(f'<circle cx="{x + step / 2:.1f}" cy="{y_sl(value):.1f}" r="4.5" fill="{colours[j % 4]}">'
                             f'<title>{esc(row["scenario"])} {esc(queue)}: {value:.1%}</title></circle>')
        label = row["scenario"] if len(row["scenario"]) <= 22 else row["scenario"][:21] + "…"
        parts.append(f'<text transform="translate({x + step / 2:.1f},{top + plot_h + 10}) rotate(30)" '
                     f'font-size="10">{esc(label)}</text>')
    parts.append("</svg>")
    return legend([("#cbd2d9", cost_column)] + [(colours[j % 4], f"{q} projected SL") for j, q in enumerate(queues)]) \
        + "".join(parts)


def render_page(run: ScenarioRun, folders: dict[str, str]) -> str:
    frame = comparison_frame(run)
    cost_column = next((c for c in frame.columns if c.startswith("labour cost")), "labour cost")
    queues = [c[:-len(" projected SL")] for c in frame.columns if c.endswith(" projected SL")]
    measures = [c for c in frame.columns if c not in ("scenario", "status", "changes", "error", "headcount search")]
    base = frame.iloc[0].to_dict()
    header = "".join(f'<th>{esc(r["scenario"])}<br><a href="{esc(folders[r["scenario"]])}/report.html">plan report</a>'
                     f'</th>' for r in frame.to_dict("records"))
    rows = [f"<tr><th>changes</th>" + "".join(f"<td>{esc(r['changes'])}</td>" for r in frame.to_dict("records"))
            + "</tr>"]
    for measure in measures:
        cells = []
        for i, r in enumerate(frame.to_dict("records")):
            value = r.get(measure)
            if r["status"] != "ok":
                cells.append(f'<td class="bad">{"failed" if measure == measures[0] else ""}</td>')
                continue
            text = _fmt(measure, value) + ("" if i == 0 else _delta(measure, value, base.get(measure)))
            cells.append(f'<td class="num">{esc(text)}</td>')
        rows.append(f"<tr><th>{esc(measure)}</th>{''.join(cells)}</tr>")
    side_by_side = (f'<div style="overflow-x:auto"><table id="comparison"><thead><tr><th>measure</th>{header}</tr>'
                    f'</thead><tbody>{"".join(rows)}</tbody></table></div>')
    failures = frame[frame["status"] != "ok"]
    body = [
        f"<h1>{esc(run.site_name)}: what-if scenarios, {run.dates[0]} to {run.dates[-1]}</h1>",
        f'<p class="note">{len(run.results) - 1} scenario(s) beside the base, planned on {esc(run.executor)} with '
        f'{run.solver_threads} roster-search thread(s) each and a roster time limit of '
        f'{esc(run.time_limit_s if run.time_limit_s else "the site YAML’s")} s; the forecast was computed once '
        f'({run.forecast_s:.1f} s) and scaled per scenario. Wall time of the whole run: {run.wall_s:.0f} s. '
        f'Labour cost is paid hours × each contract’s rate ({esc(run.currency or "the site’s currency")}); penalty '
        f'points are the roster objective’s other terms (under/over-coverage, fairness, preferences) and are not '
        f'money. Differences to the base are in brackets (pp = percentage points).</p>',
        "<h2>Cost and service</h2>", cost_service_chart(frame, cost_column, queues),
        "<h2>Side by side</h2>", side_by_side,
    ]
    for r in run.results:
        if r.steps:
            steps = pd.DataFrame(r.steps)
            body += [f"<h2>Headcount search: {esc(r.name)}</h2>", f"<p>{esc(r.metrics.get('headcount search', ''))}</p>",
                     table(steps, {"lowest SL": ".1%", "labour cost": ",.0f", "paid hours": ",.0f", "seconds": ".0f"})]
    if not failures.empty:
        body += ["<h2>Failed scenarios</h2>", table(failures[["scenario", "changes", "error"]], sortable=False)]
    body += ["<h2>All measures as a table</h2>",
             collapsed(f"{len(frame)} rows (also in scenarios.csv)", table(frame.drop(columns=["error"]), {
                 c: ".3g" for c in frame.columns if pd.api.types.is_float_dtype(frame[c])}))]
    return page(f"Scenarios - {run.site_name}", body)
