"""Report section: requirement against scheduled per queue, as lines per day and as a day x interval heat map."""
from __future__ import annotations

import pandas as pd

from pipeline.plan import PlanOutcome
from reports.htmlkit import WeekAxis, esc, legend, local_span, nice_ticks, polyline, svg_open, y_axis

WIDTH = 1400
LEFT = 58

# Heat-map colours: short in reds (deeper = more agents short), met in pale green, over in blues.
SHORT = ["#fde0dc", "#f9a39a", "#e5604f", "#b42318"]
OVER = ["#dbeafe", "#93c5fd", "#3b82f6", "#1e40af"]
MET = "#e3f4e8"
CLOSED = "#f5f7fa"


def gap_colour(gap: float) -> str:
    """Short by more than a hundredth of an agent: red; at least one agent over: blue; in between: met."""
    if gap < -0.01:
        return SHORT[min(int(-gap // 1), 3)] if -gap >= 1 else SHORT[0]
    if gap >= 1:
        return OVER[min(int(gap // 1) - 1, 3)]
    return MET


def lines_chart(outcome: PlanOutcome, queue: str) -> str:
    """Required (black) and scheduled (blue) agents per interval, one panel per day."""
    site = outcome.inputs.site
    part = outcome.evaluation[outcome.evaluation["queue"] == queue].sort_values("start")
    if part.empty:
        return "<p>No open intervals.</p>"
    first, last = local_span(part["start"], site.interval_min)
    axis = WeekAxis(outcome.dates, first, last, LEFT, WIDTH - 10)
    height, top = 230, 18
    bottom = height - 20
    ticks = nice_ticks(float(max(part["agents"].max(), part["scheduled"].max(), 1)))
    y = lambda v: bottom - (bottom - top) * v / ticks[-1]
    parts = [svg_open(WIDTH, height, f"required and scheduled agents for {queue}"),
             y_axis(ticks, y, LEFT, WIDTH - 10, "agents"), axis.ticks(top, bottom)]
    step = pd.Timedelta(minutes=site.interval_min)
    for column, colour, width in (("agents", "#1f2933", 1.6), ("scheduled", "#0b5cab", 1.8)):
        days: dict[int, list] = {}
        for row in part.itertuples(index=False):
            a, b = axis.x_of(row.start), axis.x_of(pd.Timestamp(row.start) + step - pd.Timedelta(seconds=1))
            if a is None or b is None:
                continue
            v = y(float(getattr(row, column)))
            days.setdefault(a[0], []).extend([(a[1], v), (b[1], v)])   # steps: the value holds over the interval
        parts += [polyline(points, colour, width) for points in days.values()]
    for row in part.itertuples(index=False):   # shortfalls shaded between the lines
        if row.scheduled < row.agents - 0.01:
            a, b = axis.x_of(row.start), axis.x_of(pd.Timestamp(row.start) + step - pd.Timedelta(seconds=1))
            if a and b:
                parts.append(f'<rect x="{a[1]:.1f}" y="{y(row.agents):.1f}" width="{b[1] - a[1]:.1f}" '
                             f'height="{y(row.scheduled) - y(row.agents):.1f}" fill="#e5604f" fill-opacity="0.35">'
                             f'<title>{pd.Timestamp(row.start):%a %H:%M}: {row.scheduled:g} scheduled, '
                             f'{row.agents:g} required</title></rect>')
    parts.append("</svg>")
    return "".join(parts)


def heat_map(outcome: PlanOutcome, queue: str) -> str:
    """Days down, intervals across; each cell coloured by scheduled minus required and labelled with it."""
    site = outcome.inputs.site
    part = outcome.evaluation[outcome.evaluation["queue"] == queue]
    if part.empty:
        return ""
    first, last = local_span(part["start"], site.interval_min)
    slots = (last - first) // site.interval_min
    left, top, cell_h = 92, 16, 26
    cell_w = (WIDTH - left - 10) / max(slots, 1)
    height = top + cell_h * len(outcome.dates) + 22
    cells = {(pd.Timestamp(r.start).date(), pd.Timestamp(r.start).hour * 60 + pd.Timestamp(r.start).minute): r
             for r in part.itertuples(index=False)}
    parts = [svg_open(WIDTH, height, f"over- and under-staffing heat map for {queue}")]
    for d, date in enumerate(outcome.dates):
        y0 = top + d * cell_h
        parts.append(f'<text x="{left - 6}" y="{y0 + cell_h / 2 + 4:.1f}" font-size="10.5" text-anchor="end">'
                     f'{date:%a %d %b}</text>')
        for k in range(slots):
            minute = first + k * site.interval_min
            x0 = left + k * cell_w
            row = cells.get((date, minute))
            if row is None:
                parts.append(f'<rect x="{x0:.1f}" y="{y0}" width="{cell_w - 1:.1f}" height="{cell_h - 1}" '
                             f'fill="{CLOSED}"><title>{date:%a} {minute // 60:02d}:{minute % 60:02d}: closed</title></rect>')
                continue
            gap = float(row.scheduled - row.agents)
            parts.append(f'<rect class="heat" x="{x0:.1f}" y="{y0}" width="{cell_w - 1:.1f}" height="{cell_h - 1}" '
                         f'fill="{gap_colour(gap)}"><title>{date:%a} {minute // 60:02d}:{minute % 60:02d}: '
                         f'{row.scheduled:g} scheduled, {row.agents:g} required ({gap:+.2f})</title></rect>')
            if cell_w >= 22 and abs(gap) >= 0.05:
                colour = "#fff" if abs(gap) >= 2 else "#1f2933"
                parts.append(f'<text x="{x0 + cell_w / 2:.1f}" y="{y0 + cell_h / 2 + 3.5:.1f}" font-size="9" '
                             f'text-anchor="middle" fill="{colour}">{gap:+.1f}</text>')
    for k in range(0, slots + 1):
        minute = first + k * site.interval_min
        if minute % 60 == 0 and (minute // 60) % (1 if cell_w * 60 / site.interval_min >= 40 else 2) == 0:
            x = left + k * cell_w
            parts.append(f'<text x="{x:.1f}" y="{height - 6}" font-size="9" text-anchor="middle" fill="#52606d">'
                         f'{minute // 60:02d}:00</text>')
    parts.append("</svg>")
    return "".join(parts)


def render(outcome: PlanOutcome) -> str:
    out = ['<h2 id="coverage">Requirement against scheduled</h2>',
           '<p class="note">Required agents come from the forecast and each queue\'s service goal (shrinkage '
           'included); scheduled agents are the roster\'s average on the queue over each interval, with breaks, '
           'lunch, meetings and training taken out (so 7.5 means half an agent was on a break). The heat map '
           'labels each interval with scheduled minus required.</p>',
           legend([("#1f2933", "required"), ("#0b5cab", "scheduled"), ("#f9a39a", "short (line chart: shaded)")]),
           legend([(SHORT[0], "short < 1"), (SHORT[1], "short 1"), (SHORT[2], "short 2"), (SHORT[3], "short 3+"),
                   (MET, "met (0 to < 1 over)"), (OVER[0], "over 1"), (OVER[1], "over 2"), (OVER[2], "over 3"),
                   (OVER[3], "over 4+"), (CLOSED, "closed")])]
    for queue in outcome.inputs.site.queues:
        part = outcome.evaluation[outcome.evaluation["queue"] == queue.id]
        short = int((part["scheduled"] < part["agents"] - 0.01).sum())
        over = int((part["scheduled"] >= part["agents"] + 1).sum())
        out.append(f"<h3>{esc(queue.name)} ({esc(queue.id)}): short in {short}, over by 1+ in {over} "
                   f"of {len(part)} intervals</h3>")
        out.append(lines_chart(outcome, queue.id))
        out.append(heat_map(outcome, queue.id))
    return "\n".join(out)
