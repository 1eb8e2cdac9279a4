"""`roster.xlsx`: the roster as a planner's workbook (openpyxl).

One sheet per day (agents as rows; shift, start, end and each activity as Excel
times in the site's local time), a week overview (agent x day: shift code and
paid hours), the requirements and the per-agent hours. Every sheet has its
header row frozen and filters on.
"""
from __future__ import annotations

import datetime as dt
import re
import zipfile
from io import BytesIO

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from pipeline.plan import PlanOutcome
from reports.tables import agent_hours_table, requirements_table

HEADER_FILL = PatternFill("solid", fgColor="DCE6F2")
TIME = "hh:mm"
DATETIME = "yyyy-mm-dd hh:mm"


def day_sheet_name(date) -> str:
    return f"{date:%a %d %b}"


def _local(stamp, timezone: str) -> pd.Timestamp:
    return pd.Timestamp(stamp).tz_convert(timezone)


def _write(sheet, header: list[str], rows: list[list], formats: dict[int, str] | None = None,
           freeze: str = "B2", widths: dict[int, float] | None = None) -> None:
    sheet.append(header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(vertical="top", wrap_text=True)
    for row in rows:
        sheet.append(row)
    for column, number_format in (formats or {}).items():
        for (cell,) in sheet.iter_rows(min_row=2, min_col=column, max_col=column):
            cell.number_format = number_format
    for i, name in enumerate(header, start=1):
        sheet.column_dimensions[get_column_letter(i)].width = (widths or {}).get(i, max(9.0, min(len(name) + 2, 28)))
    sheet.freeze_panes = freeze
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(header))}{max(sheet.max_row, 1)}"


def workbook(outcome: PlanOutcome) -> Workbook:
    site = outcome.inputs.site
    tz = site.timezone
    agents = sorted(outcome.inputs.agents, key=lambda a: a.agent_id)
    off = {(t.agent_id, t.date): t.reason or "time off" for t in outcome.inputs.time_off}
    shifts = {(s.agent_id, s.shift.date): s for s in outcome.roster.shifts}
    book = Workbook()
    book.remove(book.active)

    week = book.create_sheet("Week")
    header = ["agent_id", "name", "contract"]
    for date in outcome.dates:
        header += [f"{date:%a %d} shift", f"{date:%a %d} hours"]
    header += ["week hours"]
    rows = []
    for agent in agents:
        row: list = [agent.agent_id, agent.name, agent.contract]
        total = 0.0
        for date in outcome.dates:
            entry = shifts.get((agent.agent_id, date))
            if entry is None:
                row += ["off" if (agent.agent_id, date) not in off else off[(agent.agent_id, date)], 0.0]
            else:
                hours = entry.paid_minutes / 60
                total += hours
                row += [entry.shift.template_id, hours]
        rows.append(row + [total])
    _write(week, header, rows, {c: "0.00" for c in range(5, len(header) + 1, 2)} | {len(header): "0.00"}, freeze="D2",
           widths={2: 22})

    for date in outcome.dates:
        sheet = book.create_sheet(day_sheet_name(date))
        most = max((len(s.activities) for (a, d), s in shifts.items() if d == date), default=0)
        header = ["agent_id", "name", "contract", "skills", "shift", "start", "end", "paid hours"]
        for k in range(1, most + 1):
            header += [f"activity {k}", f"activity {k} start", f"activity {k} end"]
        rows, time_columns = [], [6, 7] + [9 + 3 * k + j for k in range(most) for j in (1, 2)]
        for agent in agents:
            entry = shifts.get((agent.agent_id, date))
            row: list = [agent.agent_id, agent.name, agent.contract, ";".join(agent.skills)]
            if entry is None:
                row += ["off" if (agent.agent_id, date) not in off else off[(agent.agent_id, date)], None, None, 0.0]
            else:
                row += [entry.shift.template_id, _local(entry.shift.start, tz).time(),
                        _local(entry.shift.end, tz).time(), entry.paid_minutes / 60]
                for activity in entry.activities:
                    row += [activity.name, _local(activity.start, tz).time(), _local(activity.end, tz).time()]
            rows.append(row)
        _write(sheet, header, rows, {c: TIME for c in time_columns} | {8: "0.00"}, freeze="C2", widths={2: 22})

    requirements = requirements_table(outcome)
    sheet = book.create_sheet("Requirements")
    columns = list(requirements.columns)
    rows = []
    for record in requirements.itertuples(index=False):
        values = list(record)
        values[columns.index("start")] = _local(values[columns.index("start")], tz).tz_localize(None).to_pydatetime()
        rows.append([None if isinstance(v, float) and v != v else v for v in values])
    _write(sheet, columns, rows, {columns.index("start") + 1: DATETIME}, freeze="C2", widths={2: 17})

    hours = agent_hours_table(outcome)
    sheet = book.create_sheet("Agent hours")
    _write(sheet, list(hours.columns), [list(r) for r in hours.itertuples(index=False)], {6: "0.00"}, freeze="C2",
           widths={2: 22})
    return book


def xlsx_bytes(outcome: PlanOutcome) -> bytes:
    buffer = BytesIO()
    workbook(outcome).save(buffer)
    return reproducible_zip(buffer.getvalue(), outcome.dates[0])


_STAMPS = re.compile(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:)")


def reproducible_zip(data: bytes, day: dt.date) -> bytes:
    """The workbook with the save time taken out: openpyxl stamps `now` into docProps/core.xml and every zip
    entry, so two saves of the same roster differ. Both become the plan's first day, 00:00."""
    stamp = f"{day:%Y-%m-%d}T00:00:00Z".encode()
    out = BytesIO()
    with zipfile.ZipFile(BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == "docProps/core.xml":
                content = _STAMPS.sub(rb"\g<1>" + stamp + rb"\g<2>", content)
            info = zipfile.ZipInfo(item.filename, date_time=(day.year, day.month, day.day, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = item.external_attr
            target.writestr(info, content)
    return out.getvalue()
