"""The planning week on the site's local calendar: dates, open intervals and possible shifts.

All times are built per local day and converted with the site's timezone, so a
daylight-saving day simply has one interval more or less and shift lengths stay
true in elapsed time.
"""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from rules.base import Shift
from rules.site import WEEKDAYS, OpeningHours, Site


def local_time(date: dt.date, minutes: int, tz: ZoneInfo) -> dt.datetime:
    """The aware moment `minutes` after local midnight of `date` (24:00 is next midnight)."""
    day = date + dt.timedelta(days=minutes // (24 * 60))
    minute_of_day = minutes % (24 * 60)
    return dt.datetime(day.year, day.month, day.day, minute_of_day // 60, minute_of_day % 60, tzinfo=tz)


def week_start_after(last_date: dt.date, site: Site) -> dt.date:
    """The first day after `last_date` that is the site's first day of the week."""
    target = WEEKDAYS.index(site.week_starts_on)
    offset = (target - last_date.weekday()) % 7 or 7
    return last_date + dt.timedelta(days=offset)


def planning_dates(week_start: dt.date, days: int = 7) -> tuple[dt.date, ...]:
    return tuple(week_start + dt.timedelta(days=i) for i in range(days))


def hours_on(hours: dict[str, OpeningHours], date: dt.date) -> OpeningHours | None:
    return hours.get(WEEKDAYS[date.weekday()])


def open_interval_starts(hours: dict[str, OpeningHours], dates: tuple[dt.date, ...],
                         interval_min: int, tz: ZoneInfo) -> list[dt.datetime]:
    starts = []
    for date in dates:
        window = hours_on(hours, date)
        if window is None:
            continue
        for minutes in range(window.open_min, window.close_min, interval_min):
            starts.append(local_time(date, minutes, tz))
    return starts


def shift_options(site: Site, date: dt.date) -> list[Shift]:
    """Every shift any template allows on `date` that fits inside the site's opening hours."""
    window = hours_on(site.opening_hours, date)
    if window is None:
        return []
    tz = ZoneInfo(site.timezone)
    options = []
    for template in site.shift_templates:
        if template.parent is not None:     # an intraday variant: offered only where the intraday policy says
            continue
        for start_min in template.start_times_min():
            if start_min < window.open_min or start_min + template.length_min > window.close_min:
                continue
            start = local_time(date, start_min, tz)
            # Elapsed time, not wall clock: a shift over a clock change still lasts its length.
            end = (start.astimezone(dt.timezone.utc) + dt.timedelta(minutes=template.length_min)).astimezone(tz)
            options.append(Shift(template.id, date, start, end))
    return options
