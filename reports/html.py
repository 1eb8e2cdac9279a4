"""The self-contained HTML report: one file, inline SVG charts, no scripts or network."""
from __future__ import annotations

import html
from collections import defaultdict

import pandas as pd

from pipeline.plan import PlanOutcome
from reports.summary import solver_line
from reports.tables import agent_hours_table, fairness_summary

STYLE = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:2rem;color:#1f2933;max-width:1200px}
h1{font-size:1.5rem}h2{font-size:1.15rem;margin-top:2rem;border-bottom:1px solid #d9e2ec;padding-bottom:.3rem}
table{border-collapse:collapse;font-size:.85rem;margin:.5rem 0}
th,td{padding:.25rem .6rem;border-bottom:1px solid #e4e7eb;text-align:left}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
.ok{color:#127a3a;font-weight:600}.bad{color:#b42318;font-weight:600}
.legend span{display:inline-block;margin-right:1rem;font-size:.8rem}
.sw{display:inline-block;width:.9rem;height:.6rem;margin-right:.3rem;vertical-align:middle}
details{margin:.5rem 0}
"""


def _esc(value: object) -> str:
    return html.escape(str(value))


def _table(frame: pd.DataFrame, formats: dict[str, str] | None = None) -> str:
    formats = formats or {}
    numeric = {c for c in frame.columns if pd.api.types.is_numeric_dtype(frame[c])}
    num = ' class="num"'
    head = "".join(f"<th{num if c in numeric else ''}>{_esc(c)}</th>" for c in frame.columns)
    body = []
    for row in frame.itertuples(index=False):
        cells = []
        for column, value in zip(frame.columns, row):
            text = format(value, formats[column]) if column in formats and value is not None else value
            cells.append(f"<td{num if column in numeric else ''}>{_esc(text)}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def coverage_chart(evaluation: pd.DataFrame, queue: str, width: int = 1100, height: int = 220) -> str:
    """Required (line) vs scheduled (bars) agents per interval across the week, one panel per day."""
    part = evaluation[evaluation["queue"] == queue].sort_values("start")
    if part.empty:
        return "<p>No open intervals.</p>"
    days: dict[str, list] = defaultdict(list)
    for row in part.itertuples(index=False):
        days[pd.Timestamp(row.start).strftime("%a %d %b")].append(row)
    top = max(int(part["agents"].max()), int(part["scheduled"].max()), 1)
    pad_left, pad_bottom, pad_top = 34, 28, 10
    plot_h = height - pad_bottom - pad_top
    slots = sum(len(v) for v in days.values()) + len(days)   # one blank slot between days
    step = (width - pad_left) / slots
    y = lambda v: pad_top + plot_h * (1 - v / top)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" role="img" '
             f'aria-label="coverage for {_esc(queue)}">']
    for tick in range(0, top + 1, max(1, top // 5)):
        parts.append(f'<line x1="{pad_left}" x2="{width}" y1="{y(tick):.1f}" y2="{y(tick):.1f}" stroke="#e4e7eb"/>'
                     f'<text x="{pad_left - 4}" y="{y(tick) + 4:.1f}" font-size="10" text-anchor="end">{tick}</text>')
    slot = 0
    for label, rows in days.items():
        x0 = pad_left + slot * step
        parts.append(f'<text x="{x0:.1f}" y="{height - 8}" font-size="10">{_esc(label)}</text>')
        line = []
        for row in rows:
            x = pad_left + slot * step
            short = row.scheduled < row.agents
            colour = "#f0a202" if short else "#7cb4e3"
            parts.append(f'<rect x="{x:.1f}" y="{y(row.scheduled):.1f}" width="{max(step - 1, 1):.1f}" '
                         f'height="{plot_h + pad_top - y(row.scheduled):.1f}" fill="{colour}">'
                         f'<title>{pd.Timestamp(row.start):%a %H:%M}: scheduled {row.scheduled}, required {row.agents}, '
                         f'projected SL {row.projected_sl:.0%}</title></rect>')
            line.append(f"{x:.1f},{y(row.agents):.1f} {x + step:.1f},{y(row.agents):.1f}")
            slot += 1
        parts.append(f'<polyline points="{" ".join(line)}" fill="none" stroke="#1f2933" stroke-width="1.5"/>')
        slot += 1
    parts.append("</svg>")
    return "".join(parts)


def render_report(outcome: PlanOutcome) -> str:
    site = outcome.inputs.site
    report = outcome.roster.report
    summary = outcome.summary.copy()
    summary_view = pd.DataFrame({
        "queue": summary["queue"], "channel": summary["channel"], "contacts": summary["contacts"],
        "required agent-hours": summary["required_agent_hours"], "scheduled agent-hours": summary["scheduled_agent_hours"],
        "coverage": summary["coverage"], "projected SL": summary["projected_sl"],
        "simulated SL": summary["simulated_sl"],
        "goal": [f"{r.target_sl:.0%} in {r.target_s:g} s" if r.target_sl is not None else "-" for r in summary.itertuples()],
        "intervals short": summary["intervals_short"],
    })
    checks_ok = not outcome.violations
    checks = pd.DataFrame(
        [(kind, text, sum(1 for v in outcome.violations if v.rule == kind)) for kind, text in outcome.rule_names]
        + [("coverage_by_skill", "agents counted only on queues they are skilled for, once each",
            sum(1 for v in outcome.violations if v.rule == "coverage_by_skill"))],
        columns=["rule", "what it checks", "violations"])
    hours = agent_hours_table(outcome)
    breakdown = pd.DataFrame(sorted(outcome.roster.breakdown.items()), columns=["objective term", "cost"])
    timings = pd.DataFrame(sorted(outcome.stage_seconds.items()), columns=["stage", "seconds"])
    sections = [
        f"<h1>{_esc(site.name)}: roster {outcome.dates[0]} to {outcome.dates[-1]}</h1>",
        f"<p>{_esc(solver_line(outcome))}</p>",
        f"<p class=\"{'ok' if checks_ok else 'bad'}\">"
        + ("All independent rule checks passed." if checks_ok else f"{len(outcome.violations)} rule violation(s) found.")
        + "</p>",
        "<h2>Service by queue</h2>",
        _table(summary_view, {"contacts": ",.0f", "required agent-hours": ",.1f", "scheduled agent-hours": ",.1f",
                              "coverage": ".1%", "projected SL": ".1%", "simulated SL": ".1%"}),
        "<h2>Coverage against requirement</h2>",
        '<p class="legend"><span><i class="sw" style="background:#7cb4e3"></i>scheduled, covers requirement</span>'
        '<span><i class="sw" style="background:#f0a202"></i>scheduled, short</span>'
        '<span><i class="sw" style="background:#1f2933;height:2px"></i>required (after shrinkage)</span></p>',
    ]
    for queue in site.queues:
        sections.append(f"<h3>{_esc(queue.name)} ({_esc(queue.id)})</h3>")
        sections.append(coverage_chart(outcome.evaluation, queue.id))
    sections += [
        "<h2>Rule checks</h2>",
        "<p>Each rule is verified on the finished roster by a checker that does not share code with the solver's encoding.</p>",
        _table(checks),
    ]
    if outcome.violations:
        violations = pd.DataFrame([(v.rule, v.agent_id or "", v.date or "", v.message) for v in outcome.violations],
                                  columns=["rule", "agent", "date", "problem"])
        sections.append(_table(violations.head(200)))
    by_agent = outcome.roster.agent_breakdown
    if not by_agent.empty:
        pivot = by_agent.pivot_table(index="agent_id", columns="term", values="cost", aggfunc="sum", fill_value=0.0)
        pivot["total"] = pivot.sum(axis=1)
        pivot = pivot.sort_values("total", ascending=False).reset_index()
        agent_costs = _table(pivot, {c: ",.2f" for c in pivot.columns if c != "agent_id"})
    else:
        agent_costs = "<p>No per-agent terms.</p>"
    penalties = pd.DataFrame([(p.rule, p.agent_id or "", p.amount, p.message) for p in outcome.penalties],
                             columns=["rule", "agent", "cost", "why"])
    sections += [
        "<h2>Fairness</h2>",
        "<p>Weekends, late shifts, unmet preferences and extra hours across agents, this week and with past "
        "weeks from the ledger.</p>",
        _table(fairness_summary(outcome), {"max": ".3g", "min": ".3g", "spread (max-min)": ".3g", "std": ".2f"}),
        "<h2>Objective breakdown</h2>", _table(breakdown, {"cost": ",.2f"}),
        f"<details><summary>By agent ({len(by_agent['agent_id'].unique()) if not by_agent.empty else 0} agents)</summary>"
        f"{agent_costs}</details>",
        f"<details><summary>Soft-rule charges, recomputed from the roster ({len(penalties)})</summary>"
        f"{_table(penalties.head(300), {'cost': ',.2f'})}</details>",
        "<h2>Hours per agent</h2>",
        f"<details><summary>{len(hours)} agents</summary>{_table(hours, {'hours': '.1f', 'min_hours': 'g', 'max_hours': 'g'})}</details>",
        "<h2>Run</h2>", _table(timings, {"seconds": ".2f"}),
    ]
    return ("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<title>Roster {outcome.dates[0]} - {_esc(site.name)}</title><style>{STYLE}</style></head><body>"
            + "\n".join(sections) + "</body></html>\n")
