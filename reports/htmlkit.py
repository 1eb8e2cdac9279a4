"""Building blocks of the self-contained HTML pages: escaping, sortable tables, the page shell, SVG axes.

Charts are inline SVG drawn here in Python (no charting library, no CDN): each
uses a viewBox and width 100%, so it scales with the window. One small inline
script makes tables sortable by clicking a header; nothing is fetched.
"""
from __future__ import annotations

import html
import math

import pandas as pd

STYLE = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:1.5rem 2rem;color:#1f2933}
main{max-width:1500px}
h1{font-size:1.5rem}h2{font-size:1.15rem;margin-top:2rem;border-bottom:1px solid #d9e2ec;padding-bottom:.3rem}
h3{font-size:1rem;margin:1.2rem 0 .3rem}
table{border-collapse:collapse;font-size:.82rem;margin:.5rem 0}
th,td{padding:.22rem .55rem;border-bottom:1px solid #e4e7eb;text-align:left;vertical-align:top}
th.sortable{cursor:pointer;user-select:none;background:#f5f7fa}th.sortable:after{content:" \\2195";color:#9aa5b1}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
.ok{color:#127a3a;font-weight:600}.bad{color:#b42318;font-weight:600}.warn{color:#b54708;font-weight:600}
td.flag{background:#fff4e5}td.wide{min-width:16rem}div.scroll{overflow-x:auto;max-width:100%}
.legend{font-size:.8rem;margin:.2rem 0 .4rem}.legend span{display:inline-block;margin-right:1rem}
.sw{display:inline-block;width:.9rem;height:.65rem;margin-right:.3rem;vertical-align:middle;border:1px solid #cbd2d9}
details{margin:.5rem 0}summary{cursor:pointer;color:#0b5cab}
svg.chart{width:100%;height:auto;display:block;margin:.3rem 0}
svg text{font-family:system-ui,sans-serif}
.cards{display:flex;flex-wrap:wrap;gap:.8rem;margin:.6rem 0}
.card{border:1px solid #d9e2ec;border-radius:6px;padding:.5rem .8rem;min-width:9rem}
.card b{display:block;font-size:1.15rem}.card small{color:#52606d}
nav a{margin-right:.9rem;font-size:.85rem}
.note{color:#52606d;font-size:.85rem}
"""

SCRIPT = """
document.querySelectorAll('table.sortable').forEach(function(table){
  table.querySelectorAll('th').forEach(function(th, col){
    th.classList.add('sortable');
    th.addEventListener('click', function(){
      var body = table.tBodies[0], rows = Array.prototype.slice.call(body.rows);
      var asc = th.getAttribute('data-dir') !== 'asc';
      table.querySelectorAll('th').forEach(function(h){ h.removeAttribute('data-dir'); });
      th.setAttribute('data-dir', asc ? 'asc' : 'desc');
      var key = function(row){
        var cell = row.cells[col]; if (!cell) return '';
        var v = cell.getAttribute('data-v'); if (v === null) v = cell.textContent.trim();
        var n = parseFloat(v.replace(/[,%]/g, ''));
        return isNaN(n) ? v.toLowerCase() : n;
      };
      rows.sort(function(a, b){
        var x = key(a), y = key(b);
        if (typeof x === typeof y) return (x < y ? -1 : x > y ? 1 : 0) * (asc ? 1 : -1);
        return (typeof x === 'number' ? -1 : 1) * (asc ? 1 : -1);
      });
      rows.forEach(function(r){ body.appendChild(r); });
    });
  });
});
"""

# Activity colours, shared by the Gantt and its legend.
COLOURS = {"work": "#7cb4e3", "break": "#f7c948", "lunch": "#f0a202", "training": "#8e6ad8",
           "meeting": "#2bb0a8", "other": "#9aa5b1"}


def esc(value: object) -> str:
    return html.escape(str(value))


def _is_missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def table(frame: pd.DataFrame, formats: dict[str, str] | None = None, *, flags: dict[str, pd.Series] | None = None,
          sortable: bool = True, table_id: str = "") -> str:
    """An HTML table; numbers right-aligned and sorted as numbers; `flags` marks cells (column -> bool per row)."""
    formats = formats or {}
    flags = flags or {}
    numeric = {c for c in frame.columns if pd.api.types.is_numeric_dtype(frame[c])
               and not pd.api.types.is_bool_dtype(frame[c])}
    num = ' class="num"'
    head = "".join(f"<th{num if c in numeric else ''}>{esc(c)}</th>" for c in frame.columns)
    body = []
    flag_values = {c: list(v) for c, v in flags.items()}
    for i, row in enumerate(frame.itertuples(index=False)):
        cells = []
        for column, value in zip(frame.columns, row):
            if _is_missing(value):
                text = "-"
            elif column in formats:
                text = format(value, formats[column])
            else:
                text = value
            classes = ((["num"] if column in numeric else []) + (["flag"] if flag_values.get(column, [False] * (i + 1))[i] else [])
                       + (["wide"] if isinstance(text, str) and len(text) > 30 else []))
            attr = f' class="{" ".join(classes)}"' if classes else ""
            sort_value = f' data-v="{value}"' if column in numeric and not _is_missing(value) else ""
            cells.append(f"<td{attr}{sort_value}>{esc(text)}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    ident = f' id="{esc(table_id)}"' if table_id else ""
    sort_class = ' class="sortable"' if sortable else ""
    return (f'<div class="scroll"><table{ident}{sort_class}><thead><tr>{head}</tr></thead>'
            f"<tbody>{''.join(body)}</tbody></table></div>")


def collapsed(summary: str, content: str, open_: bool = False) -> str:
    return f"<details{' open' if open_ else ''}><summary>{esc(summary)}</summary>{content}</details>"


def legend(items: list[tuple[str, str]]) -> str:
    """Colour swatches with labels: [(colour, label)]."""
    return '<p class="legend">' + "".join(
        f'<span><i class="sw" style="background:{c}"></i>{esc(label)}</span>' for c, label in items) + "</p>"


def page(title: str, body: list[str]) -> str:
    """The whole self-contained page: style and the one small script inline."""
    return ("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
            f"<title>{esc(title)}</title><style>{STYLE}</style></head><body><main>"
            + "\n".join(body) + f"</main><script>{SCRIPT}</script></body></html>\n")


def svg_open(width: int, height: int, label: str, extra: str = "") -> str:
    return (f'<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
            f'role="img" aria-label="{esc(label)}" {extra}>')


def nice_ticks(top: float, count: int = 5) -> list[float]:
    """Round tick values from 0 to at least `top`."""
    if top <= 0:
        return [0.0, 1.0]
    raw = top / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    return [i * step for i in range(int(math.ceil(top / step)) + 1)]


def y_axis(ticks: list[float], y, left: float, right: float, label: str, fmt: str = "g") -> str:
    """Horizontal grid lines with tick labels, and the axis title written upwards."""
    parts = []
    for tick in ticks:
        parts.append(f'<line x1="{left}" x2="{right}" y1="{y(tick):.1f}" y2="{y(tick):.1f}" stroke="#e4e7eb"/>'
                     f'<text x="{left - 4}" y="{y(tick) + 3.5:.1f}" font-size="10" text-anchor="end">'
                     f'{format(tick, fmt)}</text>')
    middle = (y(ticks[0]) + y(ticks[-1])) / 2
    parts.append(f'<text transform="translate(11,{middle:.0f}) rotate(-90)" font-size="10.5" text-anchor="middle" '
                 f'fill="#52606d">{esc(label)}</text>')
    return "".join(parts)


class WeekAxis:
    """x positions for a week drawn as one panel per day over the local hours [first_min, last_min).

    Every chart of the planned week (forecast, coverage, service, Gantt) uses it,
    so their days and times of day line up down the page.
    """

    def __init__(self, dates, first_min: int, last_min: int, left: float, width: float, gap: float = 8.0):
        self.dates = list(dates)
        self.first_min, self.last_min = first_min, max(last_min, first_min + 60)
        self.left, self.width, self.gap = left, width, gap
        self.day_w = (width - left) / max(len(self.dates), 1)

    def x(self, day_index: int, minute: float) -> float:
        inner = self.day_w - self.gap
        share = (min(max(minute, self.first_min), self.last_min) - self.first_min) / (self.last_min - self.first_min)
        return self.left + day_index * self.day_w + share * inner

    def x_of(self, stamp) -> tuple[int, float] | None:
        """(day index, x) of a local timestamp, or None outside the week."""
        ts = pd.Timestamp(stamp)
        try:
            day = self.dates.index(ts.date())
        except ValueError:
            return None
        return day, self.x(day, ts.hour * 60 + ts.minute)

    def ticks(self, top: float, bottom: float, every_min: int | None = None, day_labels: bool = True) -> str:
        """Day names above each panel and time-of-day ticks along the bottom."""
        span = self.last_min - self.first_min
        every = every_min or (240 if span > 600 and self.day_w < 260 else 120)
        parts = []
        for d, date in enumerate(self.dates):
            x0 = self.x(d, self.first_min)
            x1 = self.x(d, self.last_min)
            parts.append(f'<rect x="{x0:.1f}" y="{top}" width="{x1 - x0:.1f}" height="{bottom - top}" fill="none" '
                         f'stroke="#d9e2ec"/>')
            if day_labels:
                parts.append(f'<text x="{(x0 + x1) / 2:.1f}" y="{top - 4}" font-size="10.5" text-anchor="middle" '
                             f'font-weight="600">{date:%a %d %b}</text>')
            start = -(-self.first_min // every) * every
            for minute in range(start, self.last_min + 1, every):
                x = self.x(d, minute)
                parts.append(f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{bottom}" y2="{bottom + 3}" stroke="#7b8794"/>')
                if minute < self.last_min:   # the closing time would run into the next day's opening time
                    parts.append(self._time_label(x, bottom + 13, minute))
        return "".join(parts)

    @staticmethod
    def _time_label(x: float, y: float, minute: int) -> str:
        return (f'<text x="{x:.1f}" y="{y}" font-size="9" text-anchor="middle" fill="#52606d">'
                f'{minute // 60:02d}:{minute % 60:02d}</text>')

    def time_labels(self, y: float, every_min: int | None = None) -> str:
        """Time-of-day labels in a row at y (e.g. under the day names of a tall chart)."""
        span = self.last_min - self.first_min
        every = every_min or (240 if span > 600 and self.day_w < 260 else 120)
        start = -(-self.first_min // every) * every
        return "".join(self._time_label(self.x(d, m), y, m) for d in range(len(self.dates))
                       for m in range(start, self.last_min, every))


def local_span(starts: pd.Series, interval_min: int) -> tuple[int, int]:
    """The earliest local start and latest local end (minutes after midnight) of the intervals."""
    minutes = starts.map(lambda t: pd.Timestamp(t).hour * 60 + pd.Timestamp(t).minute)
    first = int(minutes.min()) if len(minutes) else 8 * 60
    last = int(minutes.max()) + interval_min if len(minutes) else 20 * 60
    return (first // 60) * 60, -(-last // 60) * 60


def polyline(points: list[tuple[float, float]], colour: str, width: float = 1.5, dash: str = "") -> str:
    if not points:
        return ""
    d = f' stroke-dasharray="{dash}"' if dash else ""
    text = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
    return f'<polyline points="{text}" fill="none" stroke="{colour}" stroke-width="{width}"{d}/>'
