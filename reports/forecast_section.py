"""Report section: the week's forecast against the history, per queue, with its band, AHT and accuracy."""
from __future__ import annotations

import pandas as pd

from pipeline.plan import PlanOutcome
from reports.htmlkit import WeekAxis, esc, legend, local_span, nice_ticks, polyline, svg_open, table, y_axis

WIDTH = 1400
LEFT = 58


def _by_day(axis: WeekAxis, frame: pd.DataFrame, column: str, y, shift_days: int = 0) -> dict[int, list]:
    days: dict[int, list] = {}
    for start, value in zip(frame["start"], frame[column]):
        at = axis.x_of(pd.Timestamp(start) + pd.Timedelta(days=shift_days))
        if at is not None and pd.notna(value):
            days.setdefault(at[0], []).append((at[1], y(float(value))))
    return days


def _history_weeks_back(history: pd.DataFrame, queue: str, timezone: str) -> pd.DataFrame:
    part = history[history["queue"] == queue].copy()
    part["start"] = part["start"].dt.tz_convert(timezone)
    return part


def queue_chart(outcome: PlanOutcome, queue: str, column: str, label: str, height: int, band: bool) -> str:
    site = outcome.inputs.site
    week = outcome.forecast[outcome.forecast["queue"] == queue].sort_values("start")
    history = _history_weeks_back(outcome.inputs.history, queue, site.timezone)
    if week.empty or column not in history and column != "contacts":
        return ""
    first, last = local_span(week["start"], site.interval_min)
    axis = WeekAxis(outcome.dates, first, last, LEFT, WIDTH - 10)
    top, bottom = 18, height - 20
    lookback = [(7, "#52606d", ""), (14, "#9aa5b1", "4 3")]
    values = [week[column].max()] + ([week["contacts_hi"].max()] if band else [])
    for days, _, _ in lookback:
        shifted = history[(history["start"] >= week["start"].min() - pd.Timedelta(days=days))
                          & (history["start"] < week["start"].max() - pd.Timedelta(days=days) + pd.Timedelta(hours=1))]
        if column in shifted and len(shifted):
            values.append(shifted[column].max())
    ticks = nice_ticks(float(max(v for v in values if pd.notna(v)) or 1.0))
    y = lambda v: bottom - (bottom - top) * v / ticks[-1]
    parts = [svg_open(WIDTH, height, f"{label} for {queue}: forecast against history"),
             y_axis(ticks, y, LEFT, WIDTH - 10, label), axis.ticks(top, bottom)]
    if band:
        lo = _by_day(axis, week, "contacts_lo", y)
        hi = _by_day(axis, week, "contacts_hi", y)
        for day in lo:
            shape = lo[day] + list(reversed(hi.get(day, [])))
            parts.append('<polygon points="' + " ".join(f"{x:.1f},{v:.1f}" for x, v in shape)
                         + '" fill="#0b5cab" fill-opacity="0.15" stroke="none"/>')
    for days, colour, dash in lookback:
        if column in history:
            for points in _by_day(axis, history, column, y, shift_days=days).values():
                parts.append(polyline(points, colour, 1.1, dash))
    for points in _by_day(axis, week, column, y).values():
        parts.append(polyline(points, "#0b5cab", 2.0))
    parts.append("</svg>")
    return "".join(parts)


def render(outcome: PlanOutcome) -> str:
    site = outcome.inputs.site
    used = outcome.forecast_used
    out = ['<h2 id="forecast">Forecast against history</h2>',
           f'<p class="note">Which forecast: {esc(used.source if used else "computed at plan time")}. '
           'The blue line is the forecast for the planned week with its 80% prediction band; the grey lines are '
           'the same weekday and time one week (solid) and two weeks (dashed) before, from the history.</p>']
    if used is not None and not used.accuracy.empty:
        accuracy = used.accuracy.copy()
        history = outcome.inputs.history
        last_week = history[history["start"] >= history["start"].max() - pd.Timedelta(days=7)]
        accuracy["forecast contacts (week)"] = accuracy["queue"].map(outcome.forecast.groupby("queue")["contacts"].sum())
        accuracy["history contacts (last 7 days)"] = accuracy["queue"].map(last_week.groupby("queue")["contacts"].sum())
        accuracy = accuracy.rename(columns={"backtest_wape": "backtest WAPE", "naive_wape": "seasonal-naive WAPE",
                                            "coverage80": "80% band coverage", "loses_to_naive": "loses to naive"})
        out.append(table(accuracy, {"backtest WAPE": ".1%", "seasonal-naive WAPE": ".1%", "80% band coverage": ".0%",
                                    "forecast contacts (week)": ",.0f", "history contacts (last 7 days)": ",.0f"}))
    out.append(legend([("#0b5cab", "forecast"), ("#cde0f5", "80% prediction band"),
                       ("#52606d", "history, 1 week before"), ("#9aa5b1", "history, 2 weeks before (dashed)")]))
    for queue in site.queues:
        out.append(f"<h3>{esc(queue.name)} ({esc(queue.id)})</h3>")
        out.append(queue_chart(outcome, queue.id, "contacts", "contacts per interval", 230, band=True))
        out.append(queue_chart(outcome, queue.id, "aht_s", "AHT (s)", 150, band=False))
    return "\n".join(out)
