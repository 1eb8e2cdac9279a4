"""The sample site's contact history: seeded arrivals, handle times and abandons per queue and interval.

Calls and chats arrive only while their queue is open. Emails arrive around the
clock, seven days a week; the history, like a real mailbox export, has rows only
for the queue's open intervals, and everything that arrived while it was closed
is delivered in the next open interval (the first one of the next open morning).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Sequence
from zoneinfo import ZoneInfo

import numpy as np

from data.sample_calendar import WEEKDAYS, Hours, SiteCalendar, weekday_name

HISTORY_FIRST = dt.date(2026, 8, 17)      # a Monday: 14 full weeks of history
HISTORY_LAST = dt.date(2026, 11, 22)      # a Sunday, the day before the planning week

# England's late summer bank holiday: the site opens but few customers call.
HOLIDAY_FACTORS = {dt.date(2026, 8, 31): 0.35}
AFTER_HOLIDAY_FACTOR = 1.12               # the calls that did not come on the holiday
# A data-feed outage: the day is missing from the export, not a day of zero contacts.
MISSING_DAYS = (dt.date(2026, 10, 7),)

TREND_OVER_HISTORY = 0.02                 # +2% from first to last day, level 1.0 mid-history
DAY_SHOCK_SHARED_SD = 0.035               # log-sd of a day's level shared by all queues (news, weather)
DAY_SHOCK_QUEUE_SD = 0.02                 # log-sd of a queue's own day-to-day wobble
DAY_AHT_SD = 0.02                         # log-sd of a day's handle-time level


@dataclass(frozen=True)
class QueueProfile:
    """How one queue's contacts arrive and how long they take.

    Curves are (local hour, relative level) knots, linearly interpolated at
    interval midpoints, so they work for any interval length.
    """

    weekday_mean_daily: float                 # mean Mon-Fri daily contacts at trend level 1
    weekday_factors: dict[str, float]         # relative to the Mon-Fri mean after normalising
    volume_curve: tuple[tuple[float, float], ...]
    aht_mean_s: float                         # volume-weighted weekday mean; also the zero-contact fill
    aht_curve: tuple[tuple[float, float], ...]
    handle_cv: float                          # coefficient of variation of one contact's handle time
    abandon_floor: float                      # abandon rate in a quiet interval
    abandon_peak_extra: float                 # added at the busiest interval of the history
    abandon_power: float                      # how sharply abandons rise with load
    # Around-the-clock arrivals (email): volume_curve spans 00:00-24:00, weekday_factors
    # name all seven days (what is *sent* each calendar day), and whatever arrives while
    # the queue is closed is delivered in its next open interval.
    around_the_clock: bool = False


PROFILES: dict[str, QueueProfile] = {
    "voice": QueueProfile(
        weekday_mean_daily=1700.0,
        # Monday ~+20% on midweek, Friday lower, Saturday ~45% of a weekday.
        weekday_factors={"mon": 1.20, "tue": 1.04, "wed": 1.00, "thu": 0.98, "fri": 0.90, "sat": 0.45},
        # Morning peak 09:30-11:30, lunchtime dip, smaller 13:30-15:00 peak, evening tail.
        volume_curve=((8.0, 0.55), (8.5, 0.95), (9.0, 1.30), (9.5, 1.52), (10.0, 1.62), (10.5, 1.64),
                      (11.0, 1.58), (11.5, 1.44), (12.0, 1.20), (12.5, 1.08), (13.0, 1.12), (13.5, 1.30),
                      (14.0, 1.38), (14.5, 1.34), (15.0, 1.20), (15.5, 1.05), (16.0, 0.94), (17.0, 0.76),
                      (18.0, 0.55), (19.0, 0.40), (20.0, 0.28)),
        aht_mean_s=360.0,
        # Evening callers are the harder cases (complaints, payment plans after work).
        aht_curve=((8.0, 0.97), (12.0, 0.97), (15.0, 1.00), (17.0, 1.05), (20.0, 1.14)),
        handle_cv=0.75,
        abandon_floor=0.03,
        abandon_peak_extra=0.05,
        abandon_power=2.0,
    ),
    "chat": QueueProfile(
        weekday_mean_daily=420.0,
        weekday_factors={"mon": 1.15, "tue": 1.03, "wed": 1.00, "thu": 1.00, "fri": 0.93, "sat": 0.50},
        # Flatter than voice, with an evening bump when people are home from work.
        volume_curve=((8.0, 0.55), (9.0, 0.85), (10.0, 1.02), (11.0, 1.08), (12.0, 1.05), (13.0, 1.00),
                      (14.0, 0.98), (15.0, 0.93), (16.0, 0.90), (17.0, 0.96), (18.0, 1.12), (19.0, 1.18),
                      (20.0, 0.95)),
        aht_mean_s=540.0,
        aht_curve=((8.0, 0.98), (14.0, 1.00), (20.0, 1.05)),
        handle_cv=0.6,
        abandon_floor=0.015,
        abandon_peak_extra=0.01,
        abandon_power=1.0,
    ),
    "email": QueueProfile(
        # Mean delivered per open weekday (Mon-Fri) at trend level 1; Monday's share carries the weekend.
        weekday_mean_daily=350.0,
        # Sent per calendar day: weekends are quiet but not silent.
        weekday_factors={"mon": 1.08, "tue": 1.02, "wed": 1.00, "thu": 0.98, "fri": 0.92,
                         "sat": 0.30, "sun": 0.25},
        # Sent around the clock: working-day peak, a small evening bump after work, quiet small hours.
        volume_curve=((0.0, 0.18), (2.0, 0.06), (5.0, 0.05), (7.0, 0.35), (8.0, 0.80), (9.0, 1.20),
                      (10.0, 1.35), (11.0, 1.30), (12.0, 1.20), (13.0, 1.15), (14.0, 1.20), (15.0, 1.15),
                      (16.0, 1.05), (17.0, 0.90), (18.0, 0.70), (19.0, 0.62), (20.0, 0.60), (21.0, 0.52),
                      (22.0, 0.40), (23.0, 0.28), (24.0, 0.18)),
        aht_mean_s=420.0,
        aht_curve=((0.0, 1.0), (24.0, 1.0)),
        handle_cv=0.8,
        abandon_floor=0.0,                    # nobody hangs up on an email
        abandon_peak_extra=0.0,
        abandon_power=1.0,
        around_the_clock=True,
    ),
}




def open_days(hours: Hours, first: dt.date, last: dt.date) -> list[dt.date]:
    """Every date in [first, last] on which `hours` open (missing days included)."""
    days = [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]
    return [d for d in days if weekday_name(d) in hours]


def interval_offsets(hours: Hours, interval_min: int, day: dt.date) -> np.ndarray:
    """Local minutes after midnight of each interval start while `hours` are open that day."""
    open_min, close_min = hours[weekday_name(day)]
    return np.arange(open_min, close_min, interval_min)


def curve_at(knots: Sequence[tuple[float, float]], minutes: np.ndarray, interval_min: int) -> np.ndarray:
    """The piecewise-linear curve at interval midpoints."""
    hours = (minutes + interval_min / 2) / 60.0
    xs, ys = zip(*knots)
    return np.interp(hours, xs, ys)


def normalised_weekday_factors(profile: QueueProfile, hours: Hours) -> dict[str, float]:
    """Scale the factors so the daily mean means what it says.

    A queue whose contacts arrive while it is open: Mon-Fri average exactly 1.
    Around the clock: a week's factors add up to the queue's open days, so each
    open day delivers the daily mean on average (every contact sent is
    delivered on some open day, Monday carrying the weekend's).
    """
    if profile.around_the_clock:
        scale = len(hours) / float(sum(profile.weekday_factors[d] for d in WEEKDAYS))
    else:
        scale = 1.0 / float(np.mean([profile.weekday_factors[d] for d in WEEKDAYS[:5]]))
    return {d: f * scale for d, f in profile.weekday_factors.items()}


def day_level(day: dt.date, days: list[dt.date]) -> float:
    """Trend times holiday effects for one day (no noise)."""
    span = (days[-1] - days[0]).days
    mid = days[0] + dt.timedelta(days=span / 2)
    level = 1.0 + TREND_OVER_HISTORY * (day - mid).days / span
    level *= HOLIDAY_FACTORS.get(day, 1.0)
    if day - dt.timedelta(days=1) in HOLIDAY_FACTORS:
        level *= AFTER_HOLIDAY_FACTOR
    return level


def aht_normaliser(profile: QueueProfile, hours: Hours, interval_min: int) -> float:
    """Scale for the AHT curve so a weekday's volume-weighted AHT equals aht_mean_s."""
    minutes = interval_offsets(hours, interval_min, dt.date(2026, 11, 25))   # a Wednesday
    volume = curve_at(profile.volume_curve, minutes, interval_min)
    aht = curve_at(profile.aht_curve, minutes, interval_min)
    return 1.0 / float(np.sum(volume * aht) / np.sum(volume))


def expected_contacts(profile: QueueProfile, hours: Hours, interval_min: int, days: list[dt.date],
                      trend_days: list[dt.date], day_shock: np.ndarray) -> list[np.ndarray]:
    """Mean contacts per interval for each day: daily total spread over that day's open intervals."""
    factors = normalised_weekday_factors(profile, hours)
    means = []
    for day, shock in zip(days, day_shock):
        minutes = interval_offsets(hours, interval_min, day)
        shape = curve_at(profile.volume_curve, minutes, interval_min)
        total = profile.weekday_mean_daily * factors[weekday_name(day)] * day_level(day, trend_days) * shock
        means.append(total * shape / shape.sum())
    return means


def delivered_contacts(profile: QueueProfile, hours: Hours, interval_min: int, days: list[dt.date],
                       sent_days: list[dt.date], sent_shock: Sequence[float],
                       trend_days: list[dt.date]) -> list[np.ndarray]:
    """Mean contacts per open interval of each of `days`, for contacts that arrive around the clock.

    Each calendar day of sent_days (consecutive, starting early enough to fill
    the first day's backlog) sends its total over 24 h along volume_curve. An
    open interval delivers what arrived in it; the first open interval after a
    closure also delivers everything that arrived while the queue was closed.
    """
    factors = normalised_weekday_factors(profile, hours)
    slots = np.arange(0, 24 * 60, interval_min)
    shape = curve_at(profile.volume_curve, slots, interval_min)
    shape = shape / shape.sum()
    wanted = set(days)
    delivered: dict[dt.date, np.ndarray] = {}
    waiting = 0.0                                       # arrived while closed, not yet delivered
    for day, shock in zip(sent_days, sent_shock):
        sent = (profile.weekday_mean_daily * factors[weekday_name(day)] * day_level(day, trend_days)
                * shock * shape)
        if weekday_name(day) not in hours:
            waiting += float(sent.sum())
            continue
        open_min, close_min = hours[weekday_name(day)]
        today = sent[(slots >= open_min) & (slots < close_min)].copy()
        today[0] += waiting + float(sent[slots < open_min].sum())
        waiting = float(sent[slots >= close_min].sum())
        if day in wanted:
            delivered[day] = today
    return [delivered[d] for d in days]


def abandon_rate(profile: QueueProfile, mean: np.ndarray, busiest: float) -> np.ndarray:
    """Abandon probability rising with load: callers give up more when queues are long."""
    return profile.abandon_floor + profile.abandon_peak_extra * (mean / busiest) ** profile.abandon_power


def interval_aht(profile: QueueProfile, contacts: np.ndarray, mean_aht: np.ndarray,
                 rng: np.random.Generator) -> np.ndarray:
    """Average handle time of n contacts: a mean of n gamma draws is Gamma(n*k, mu/(n*k)).

    The noise therefore shrinks with volume, as a real interval average does;
    an interval with no contacts gets the queue's typical AHT.
    """
    shape_one = 1.0 / profile.handle_cv ** 2
    n = np.maximum(contacts, 1)
    drawn = rng.gamma(shape_one * n, mean_aht / (shape_one * n))
    return np.where(contacts > 0, np.round(drawn, 1), profile.aht_mean_s)


# Around-the-clock queues: arrivals are drawn from this many days before the
# history so its first morning carries the backlog a real mailbox would have.
BACKLOG_LEAD_DAYS = 7


def history_rows(calendar: SiteCalendar, seed: int) -> list[tuple[str, str, int, float, int]]:
    """All history rows, ordered by queue (site.yaml order) then start.

    Each queue draws from its own stream, so adding a queue at the end of
    site.yaml leaves the other queues' rows as they were.
    """
    rng_days, *rng_queues = (np.random.default_rng(s)
                             for s in np.random.SeedSequence([seed, 1]).spawn(1 + len(calendar.queue_ids)))
    site_days = open_days(calendar.opening, HISTORY_FIRST, HISTORY_LAST)
    shared = dict(zip(site_days, rng_days.lognormal(0.0, DAY_SHOCK_SHARED_SD, size=len(site_days))))
    zone = ZoneInfo(calendar.timezone)
    rows: list[tuple[str, str, int, float, int]] = []
    for queue_id, rng in zip(calendar.queue_ids, rng_queues):
        profile = PROFILES[queue_id]
        hours = calendar.queue_opening[queue_id]
        days = open_days(hours, HISTORY_FIRST, HISTORY_LAST)
        if profile.around_the_clock:
            first_sent = HISTORY_FIRST - dt.timedelta(days=BACKLOG_LEAD_DAYS)
            sent_days = [first_sent + dt.timedelta(days=i) for i in range((HISTORY_LAST - first_sent).days + 1)]
            own = rng.lognormal(0.0, DAY_SHOCK_QUEUE_SD, size=len(sent_days))
            aht_day = rng.lognormal(0.0, DAY_AHT_SD, size=len(days))
            # No shared shock is drawn for days the site is closed: those days get their own wobble only.
            shock = [shared.get(d, 1.0) * o for d, o in zip(sent_days, own)]
            means = delivered_contacts(profile, hours, calendar.interval_min, days, sent_days, shock, site_days)
        else:
            own = rng.lognormal(0.0, DAY_SHOCK_QUEUE_SD, size=len(days))
            aht_day = rng.lognormal(0.0, DAY_AHT_SD, size=len(days))
            shock = np.array([shared.get(d, 1.0) for d in days]) * own
            means = expected_contacts(profile, hours, calendar.interval_min, days, site_days, shock)
        busiest = max(float(m.max()) for m in means)
        aht_scale = aht_normaliser(profile, hours, calendar.interval_min)
        for day, mean, aht_level in zip(days, means, aht_day):
            minutes = interval_offsets(hours, calendar.interval_min, day)
            contacts = rng.poisson(mean)
            mean_aht = (profile.aht_mean_s * aht_scale * aht_level
                        * curve_at(profile.aht_curve, minutes, calendar.interval_min))
            aht = interval_aht(profile, contacts, mean_aht, rng)
            abandoned = rng.binomial(contacts, abandon_rate(profile, mean, busiest))
            if day in MISSING_DAYS:
                continue      # drawn anyway so removing the outage would not reshuffle later days
            for minute, n, a, ab in zip(minutes, contacts, aht, abandoned):
                start = dt.datetime.combine(day, dt.time(int(minute) // 60, int(minute) % 60), tzinfo=zone)
                rows.append((queue_id, start.isoformat(), int(n), float(a), int(ab)))
    return rows
