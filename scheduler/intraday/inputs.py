"""What a surge re-plan reads: the published roster (roster.csv) and today's actuals, each checked against
the site so a wrong file is named, not planned on."""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import pandas as pd

from common.errors import InputError
from common.io import read_csv, row_label
from forecast.history import validate_history
from rules.base import Activity, RosterShift, Shift
from rules.site import Agent, Site
from scheduler.intraday.variants import variant_template

ROSTER_COLUMNS = ["agent_id", "date", "shift", "start", "end", "activities"]


def _moment(text: str, where: str, tz: ZoneInfo) -> dt.datetime:
    try:
        moment = dt.datetime.fromisoformat(text.strip())
    except ValueError:
        raise InputError(where, f"'{text}' is not a timestamp", "write an ISO time such as 2026-12-01T09:00:00+00:00") from None
    return moment.replace(tzinfo=tz) if moment.tzinfo is None else moment.astimezone(tz)


def _activities(text: str, shift: Shift, where: str, paid_of: dict[str, bool]) -> tuple[Activity, ...]:
    """'break 09:45-10:00; lunch 12:00-12:30' on the shift's local day (an end before its start is past midnight)."""
    out = []
    for part in (p.strip() for p in str(text or "").split(";")):
        if not part:
            continue
        name, _, span = part.rpartition(" ")
        try:
            first, last = (dt.time.fromisoformat(x) for x in span.split("-"))
        except ValueError:
            raise InputError(where, f"activity '{part}' is not 'name HH:MM-HH:MM'",
                             "write activities as e.g. 'break 09:45-10:00; lunch 12:00-12:30'") from None
        tz = shift.start.tzinfo
        start = dt.datetime.combine(shift.start.date(), first, tz)
        end = dt.datetime.combine(shift.start.date() + dt.timedelta(days=last <= first), last, tz)
        out.append(Activity(name, start, end, paid_of.get(name, True)))
    return tuple(out)


def load_roster(path: Path, site: Site, agents: list[Agent]) -> list[RosterShift]:
    """A roster.csv (as `plan` or `surge` writes it) back into shifts, checked against the site's agents and
    templates (an intraday variant such as D8+60 or CALL240 is a template too)."""
    frame = read_csv(Path(path), "roster", ROSTER_COLUMNS)
    tz = ZoneInfo(site.timezone)
    known = {a.agent_id for a in agents}
    paid_of = {b.name: b.paid for t in site.shift_templates for b in t.breaks}
    shifts: list[RosterShift] = []
    seen: set[tuple[str, dt.date]] = set()
    for index, row in frame.iterrows():
        where = row_label(Path(path), index)
        agent_id = str(row["agent_id"]).strip()
        if agent_id not in known:
            raise InputError(f"{where}, column 'agent_id'", f"agent '{agent_id}' is not in the agents file",
                             "use the roster written for this site's agents (or pass the matching --agents)")
        template = str(row["shift"]).strip()
        if template not in {t.id for t in site.shift_templates} and variant_template(site, template) is None:
            raise InputError(f"{where}, column 'shift'", f"shift '{template}' is not a template of this site",
                             f"use the site's templates ({', '.join(t.id for t in site.shift_templates)}) "
                             "or pass the site YAML this roster was planned with")
        try:
            date = dt.date.fromisoformat(str(row["date"]).strip())
        except ValueError:
            raise InputError(f"{where}, column 'date'", f"'{row['date']}' is not a date", "write YYYY-MM-DD") from None
        start = _moment(str(row["start"]), f"{where}, column 'start'", tz)
        end = _moment(str(row["end"]), f"{where}, column 'end'", tz)
        if end <= start or start.date() != date:
            raise InputError(f"{where}", f"the shift {start:%Y-%m-%d %H:%M}-{end:%H:%M} does not start on {date} "
                             "or ends before it starts", "write the shift's local date, start and end as plan wrote them")
        if (agent_id, date) in seen:
            raise InputError(where, f"agent '{agent_id}' has two shifts on {date}", "keep one shift per agent and day")
        seen.add((agent_id, date))
        shift = Shift(template, date, start, end)
        shifts.append(RosterShift(agent_id, shift, _activities(row["activities"], shift, f"{where}, column 'activities'",
                                                               paid_of)))
    if not shifts:
        raise InputError(str(path), "the roster has no shifts", "pass the roster.csv that plan wrote")
    return shifts


def load_actuals(path: Path, site: Site, now: dt.datetime) -> pd.DataFrame:
    """Today's actuals up to `now`, in the history's columns; refused when a queue is unknown, an interval
    lies after `now` or on another day, or a row is duplicated or negative."""
    frame = read_csv(Path(path), "actuals", ["queue", "start", "contacts"])
    if frame.empty:
        raise InputError(str(path), "the actuals file has a header but no rows",
                         "export today's intervals so far (queue, start, contacts)")
    actuals = validate_history(frame, Path(path), site.timezone)
    queues = [q.id for q in site.queues]
    interval = dt.timedelta(minutes=site.interval_min)
    for index, row in actuals.iterrows():
        start = row["start"].to_pydatetime()
        if row["queue"] not in queues:
            raise InputError(f"{path}, column 'queue'", f"queue '{row['queue']}' is not in the site YAML "
                             f"(interval starting {start:%H:%M})", f"use one of: {', '.join(queues)}")
        if start + interval > now:
            raise InputError(f"{path}, column 'start'", f"the interval starting {start:%Y-%m-%d %H:%M} ends after "
                             f"--now {now:%Y-%m-%d %H:%M}", "give only intervals that have ended by --now")
        if start.date() != now.date():
            raise InputError(f"{path}, column 'start'", f"the interval starting {start:%Y-%m-%d %H:%M} is not on "
                             f"--now's day {now:%Y-%m-%d}", "give today's intervals only")
    return actuals
