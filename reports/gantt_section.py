"""Report section: the roster as a Gantt chart, one row per rostered agent, grouped by contract."""
from __future__ import annotations

import pandas as pd

from pipeline.plan import PlanOutcome
from reports.htmlkit import COLOURS, WeekAxis, esc, legend, svg_open

WIDTH = 1400
LABEL_W = 170
ROW_H = 12
GROUP_H = 18


def activity_kind(name: str) -> str:
    text = name.lower()
    for kind in ("lunch", "training", "meeting", "break"):
        if kind in text:
            return kind
    return "other"


def _local_minutes(stamp, timezone: str) -> tuple[object, int]:
    ts = pd.Timestamp(stamp).tz_convert(timezone)
    return ts.date(), ts.hour * 60 + ts.minute


def render(outcome: PlanOutcome) -> str:
    site = outcome.inputs.site
    tz = site.timezone
    shifts = sorted(outcome.roster.shifts, key=lambda r: (r.agent_id, r.shift.start))
    by_agent: dict[str, list] = {}
    for entry in shifts:
        by_agent.setdefault(entry.agent_id, []).append(entry)
    agents = [a for a in outcome.inputs.agents if a.agent_id in by_agent]
    idle = [a for a in outcome.inputs.agents if a.agent_id not in by_agent]
    contracts = {c.id: c for c in site.contracts}
    order = {c.id: i for i, c in enumerate(site.contracts)}
    agents.sort(key=lambda a: (order.get(a.contract, 99), a.name, a.agent_id))
    if not agents:
        return '<h2 id="roster">Roster</h2><p>No shifts.</p>'
    minutes = [_local_minutes(e.shift.start, tz)[1] for e in shifts]
    ends = [_local_minutes(e.shift.start, tz)[1] + e.shift.minutes for e in shifts]
    first, last = (min(minutes) // 60) * 60, -(-max(ends) // 60) * 60
    axis = WeekAxis(outcome.dates, first, last, LABEL_W, WIDTH - 10, gap=6)
    groups = list(dict.fromkeys(a.contract for a in agents))
    top = 32
    height = top + len(agents) * ROW_H + len(groups) * GROUP_H + 22
    parts = [svg_open(WIDTH, height, f"roster Gantt chart, {len(agents)} agents", 'id="gantt"'),
             axis.time_labels(top - 4)]
    y = top
    current = None
    body_top = top
    for agent in agents:
        if agent.contract != current:
            current = agent.contract
            count = sum(1 for a in agents if a.contract == current)
            parts.append(f'<rect x="0" y="{y}" width="{WIDTH}" height="{GROUP_H - 2}" fill="#eef2f7"/>'
                         f'<text x="4" y="{y + 12}" font-size="11" font-weight="600">'
                         f'{esc(contracts[current].name if current in contracts else current)} ({count} agents)</text>')
            y += GROUP_H
        parts.append(f'<g class="gantt-row" data-agent="{esc(agent.agent_id)}">'
                     f'<text x="4" y="{y + ROW_H - 3}" font-size="9">{esc(agent.name[:24])} '
                     f'<tspan fill="#7b8794">{esc(agent.agent_id)}</tspan></text>')
        for entry in by_agent[agent.agent_id]:
            day, start = _local_minutes(entry.shift.start, tz)
            if day not in axis.dates:
                continue
            d = axis.dates.index(day)
            x0, x1 = axis.x(d, start), axis.x(d, start + entry.shift.minutes)
            detail = "; ".join(f"{a.name} {pd.Timestamp(a.start).tz_convert(tz):%H:%M}-"
                               f"{pd.Timestamp(a.end).tz_convert(tz):%H:%M}" for a in entry.activities)
            parts.append(f'<rect x="{x0:.1f}" y="{y + 1}" width="{x1 - x0:.1f}" height="{ROW_H - 2}" '
                         f'fill="{COLOURS["work"]}"><title>{esc(agent.name)} {day:%a} '
                         f'{entry.shift.template_id} {pd.Timestamp(entry.shift.start).tz_convert(tz):%H:%M}-'
                         f'{pd.Timestamp(entry.shift.end).tz_convert(tz):%H:%M}'
                         f'{"; " + esc(detail) if detail else ""}</title></rect>')
            for activity in entry.activities:
                _, a0 = _local_minutes(activity.start, tz)
                a1 = a0 + activity.minutes
                xa, xb = axis.x(d, a0), axis.x(d, a1)
                parts.append(f'<rect x="{xa:.1f}" y="{y + 1}" width="{max(xb - xa, 1):.1f}" height="{ROW_H - 2}" '
                             f'fill="{COLOURS[activity_kind(activity.name)]}"/>')
            if x1 - x0 > 24:
                parts.append(f'<text x="{x0 + 2:.1f}" y="{y + ROW_H - 3}" font-size="7.5" fill="#1f2933">'
                             f'{esc(entry.shift.template_id)}</text>')
        parts.append("</g>")
        y += ROW_H
    parts.append(axis.ticks(body_top - 12, y))
    parts.append("</svg>")
    note = (f'<p class="note">{len(agents)} agents rostered, grouped by contract. Hover a shift for its times and '
            'activities.' + (f' Not rostered this week: {esc(", ".join(a.agent_id for a in idle))}.' if idle else "")
            + "</p>")
    keys = legend([(COLOURS["work"], "on shift (contacts)"), (COLOURS["break"], "break"), (COLOURS["lunch"], "lunch"),
                   (COLOURS["training"], "training"), (COLOURS["meeting"], "meeting"), (COLOURS["other"], "other")])
    return '<h2 id="roster">Roster</h2>' + note + keys + '<div style="overflow-x:auto">' + "".join(parts) + "</div>"
