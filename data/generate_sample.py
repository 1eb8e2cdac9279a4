"""Seeded generator for the bundled sample site's data files.

`python -m data.generate_sample [--out DIR] [--seed N]` writes history.csv,
agents.csv, time_off.csv, fairness_ledger.csv and preferences.csv (see
data.sample_preferences) for the site in data/sample_site/site.yaml.
The same seed gives the same bytes on every run and machine (for a given
numpy): no wall clock, no hash ordering, fixed float formats, fixed row order.

The calendar (timezone, interval length, opening hours of the site and of
each queue, shift templates, contracts, rest-day rule) is read from site.yaml so
the data cannot drift from the config; the shapes and volumes below are this
file's choice.

Calls and chats arrive only while their queue is open. Emails arrive around the
clock, seven days a week; the history, like a real mailbox export, has rows only
for the queue's open intervals, and everything that arrived while it was closed
is delivered in the next open interval (the first one of the next open morning).
"""
from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import itertools
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence
from zoneinfo import ZoneInfo

import numpy as np
import yaml

from common.io import atomic_write_text
from data import sample_preferences

log = logging.getLogger(__name__)

SAMPLE_DIR = Path(__file__).resolve().parent / "sample_site"
SITE_YAML = SAMPLE_DIR / "site.yaml"
DEFAULT_SEED = 20261123          # the planning week's Monday; any fixed value would do

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

HISTORY_FIRST = dt.date(2026, 8, 17)      # a Monday: 14 full weeks of history
HISTORY_LAST = dt.date(2026, 11, 22)      # a Sunday, the day before the planning week
PLANNING_WEEK = tuple(dt.date(2026, 11, 23) + dt.timedelta(days=i) for i in range(7))

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


@dataclass(frozen=True)
class Template:
    id: str
    length_min: int
    start_mins: tuple[int, ...]


@dataclass(frozen=True)
class ContractSpec:
    id: str
    min_hours: float
    max_hours: float
    templates: tuple[str, ...]


@dataclass(frozen=True)
class SiteCalendar:
    """The parts of site.yaml the generator needs."""

    timezone: str
    interval_min: int
    opening: dict[str, tuple[int, int]]       # weekday -> (open, close), local minutes after midnight
    queue_ids: tuple[str, ...]
    queue_opening: dict[str, dict[str, tuple[int, int]]]   # per queue: its override, else the site's
    templates: dict[str, Template]
    contracts: dict[str, ContractSpec]
    max_days_per_week: int
    max_per_template: dict[str, int]


def _clock(text: str) -> int:
    hours, minutes = str(text).split(":")
    return int(hours) * 60 + int(minutes)


def _fmt_clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def load_calendar(path: Path = SITE_YAML) -> SiteCalendar:
    """Read the generator's view of site.yaml.

    A plain YAML read rather than rules.loader: the generator is a dev tool
    whose output the loader's own tests read, so it should not depend on it.
    """
    raw = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    site = raw["site"]

    def hours(block: dict) -> dict[str, tuple[int, int]]:
        return {day: (_clock(v[0]), _clock(v[1])) for day, v in block.items()}
    templates = {
        t["id"]: Template(t["id"], int(t["length_min"]),
                          tuple(range(_clock(t["earliest_start"]), _clock(t["latest_start"]) + 1,
                                      int(t["start_step_min"]))))
        for t in raw["shift_templates"]
    }
    contracts = {
        c["id"]: ContractSpec(c["id"], float(c["min_hours_week"]), float(c["max_hours_week"]),
                              tuple(c["shift_templates"]))
        for c in raw["contracts"]
    }
    min_days_off = 0
    max_per_template: dict[str, int] = {}
    for rule in raw.get("rules", []):
        if rule["rule"] == "min_days_off_per_week":
            min_days_off = int(rule["days"])
        elif rule["rule"] == "max_shifts_of_type_per_week":
            max_per_template[rule["shift"]] = int(rule["max"])
    return SiteCalendar(
        timezone=site["timezone"],
        interval_min=int(site["interval_min"]),
        opening=hours(site["opening_hours"]),
        queue_ids=tuple(q["id"] for q in raw["queues"]),
        queue_opening={q["id"]: hours(q.get("opening_hours") or site["opening_hours"]) for q in raw["queues"]},
        templates=templates,
        contracts=contracts,
        max_days_per_week=7 - min_days_off,
        max_per_template=max_per_template,
    )


# --------------------------------------------------------------------------- history

Hours = dict[str, tuple[int, int]]            # weekday -> (open, close), local minutes after midnight


def weekday_name(day: dt.date) -> str:
    return WEEKDAYS[day.weekday()]


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


# --------------------------------------------------------------------------- agents

FIRST_NAMES = (
    "Oliver", "Amelia", "Jack", "Olivia", "Harry", "Isla", "George", "Emily", "Charlie", "Sophie",
    "Thomas", "Jessica", "James", "Grace", "William", "Chloe", "Daniel", "Lucy", "Joshua", "Megan",
    "Samuel", "Hannah", "Liam", "Ellie", "Ryan", "Niamh", "Callum", "Rhiannon", "Rhys", "Siobhan",
    "Mohammed", "Aisha", "Arjun", "Priya", "Kwame", "Abena", "Tomasz", "Zofia", "Connor", "Bethan",
    "Lewis", "Kirsty", "Aaron", "Leanne", "Dean", "Gemma", "Craig", "Kayleigh", "Gareth", "Sian",
)
LAST_NAMES = (
    "Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies", "Robinson", "Wright",
    "Thompson", "Evans", "Walker", "White", "Roberts", "Green", "Hall", "Wood", "Jackson", "Clarke",
    "Patel", "Khan", "Hughes", "Edwards", "Turner", "Hill", "Moore", "Cooper", "Ward", "Morris",
    "Campbell", "MacDonald", "O'Brien", "Murphy", "Kaur", "Begum", "Ahmed", "Mensah", "Nowak", "Lloyd",
    "Price", "Bennett", "Shaw", "Harrison", "Atkinson", "Fletcher", "Holmes", "Pearson", "Barker", "Kelly",
)

CONTRACT_MIX = (("FT40", 54), ("PT30", 21), ("PT20", 15))
# 14 agents answer email: 10 blended with voice (they take calls on Saturdays and
# evenings, when the mailbox is closed) and 4 in a back-office email team.
SKILL_MIX = (("voice", 46), ("chat", 14), ("voice;chat", 16), ("voice;email", 10), ("email", 4))


@dataclass(frozen=True)
class Limits:
    """An agent's standing availability: a daily window and weekdays they never work."""

    available_from: int | None = None         # local minutes after midnight; None = no limit
    available_to: int | None = None
    unavailable_days: tuple[str, ...] = ()


NO_LIMITS = Limits()

# Who gets which limit, by contract. Each must leave the contract reachable
# (checked in make_agents); the tight ones are deliberate test cases.
LIMIT_PATTERNS: tuple[tuple[str, Limits], ...] = (
    ("PT30", Limits(9 * 60, 15 * 60, ("sat",))),          # school hours: P6 09:00-15:00 on Mon-Fri
    ("PT20", Limits(9 * 60, 15 * 60)),                     # school hours, can do Saturdays
    ("PT20", Limits(9 * 60 + 30, 14 * 60 + 30)),           # 5 h window: only P4 fits, 5 x 4 h = 20 h
    ("PT30", Limits(14 * 60, None)),                       # student: afternoons only, no Saturday shift fits
    ("PT30", Limits(None, None, ("sat",))),                # weekend childcare
    ("PT20", Limits(None, None, ("mon", "tue"))),          # second job early in the week
    ("PT30", Limits(None, None, ("fri", "sat"))),          # 4 days x 6 h = exactly 24 h
    ("PT30", Limits(None, 17 * 60)),                       # carer: must finish by 17:00
    ("PT20", Limits(10 * 60, None)),                       # school run: cannot start before 10:00
    ("PT20", Limits(None, 14 * 60, ("wed",))),             # mornings, never Wednesday
    ("FT40", Limits(None, None, ("sat",))),                # full-timers keep 5 weekdays
    ("FT40", Limits(None, None, ("sat",))),
)


@dataclass(frozen=True)
class AgentRow:
    agent_id: str
    name: str
    contract: str
    skills: str
    limits: Limits


def skill_hours(calendar: SiteCalendar, skills: str) -> Hours:
    """When an agent has work: per weekday, from the first of their queues to open to the last to close.

    The roster may put anyone on any shift inside the site's hours, but time
    when none of an agent's queues is open covers nothing, so the generator
    keeps every contract reachable inside these hours.
    """
    spans: dict[str, list[tuple[int, int]]] = {}
    for queue_id in skills.split(";"):
        for day, span in calendar.queue_opening[queue_id].items():
            spans.setdefault(day, []).append(span)
    return {day: (min(o for o, _ in spans[day]), max(c for _, c in spans[day]))
            for day in WEEKDAYS if day in spans}


def fitting_templates(calendar: SiteCalendar, contract: ContractSpec, limits: Limits,
                      weekday: str, hours: Hours | None = None) -> list[str]:
    """The contract's templates with at least one start inside both opening hours and the agent's window.

    hours: the opening hours to fit in (default: the site's).
    """
    hours = calendar.opening if hours is None else hours
    if weekday not in hours or weekday in limits.unavailable_days:
        return []
    open_min, close_min = hours[weekday]
    lo = max(open_min, limits.available_from if limits.available_from is not None else 0)
    hi = min(close_min, limits.available_to if limits.available_to is not None else 24 * 60)
    return [t for t in contract.templates
            if any(s >= lo and s + calendar.templates[t].length_min <= hi
                   for s in calendar.templates[t].start_mins)]


def contract_reachable(calendar: SiteCalendar, contract_id: str, limits: Limits,
                       days_off: Sequence[str] = (), hours: Hours | None = None) -> bool:
    """Can some week of shifts meet the contract's hours, within the rest-day and template caps?

    days_off: weekdays of approved time off in the week. hours: where shifts
    must fit (default: the site's opening hours; skill_hours for one agent).
    Brute force: at most (templates + 1) ** 7 combinations, a few hundred here.
    """
    contract = calendar.contracts[contract_id]
    options = []
    for weekday in WEEKDAYS:
        fits = [] if weekday in days_off else fitting_templates(calendar, contract, limits, weekday, hours)
        options.append([None, *fits])
    for week in itertools.product(*options):
        worked = [t for t in week if t is not None]
        if len(worked) > calendar.max_days_per_week:
            continue
        if any(worked.count(t) > cap for t, cap in calendar.max_per_template.items()):
            continue
        hours = sum(calendar.templates[t].length_min for t in worked) / 60.0
        if contract.min_hours <= hours <= contract.max_hours:
            return True
    return False


def _shuffled_mix(mix: Sequence[tuple[str, int]], rng: np.random.Generator) -> list[str]:
    values = [value for value, count in mix for _ in range(count)]
    return [values[i] for i in rng.permutation(len(values))]


def make_agents(calendar: SiteCalendar, seed: int) -> list[AgentRow]:
    """The 90 agents: exact contract and skill mix, shuffled independently, limits on a few.

    Every agent can meet their contract inside the hours their queues are open
    (a limit pattern only goes to agents it leaves able to).
    """
    rng = np.random.default_rng(np.random.SeedSequence([seed, 2]))
    contracts = _shuffled_mix(CONTRACT_MIX, rng)
    skills = _shuffled_mix(SKILL_MIX, rng)
    if len(contracts) != len(skills):
        raise ValueError("CONTRACT_MIX and SKILL_MIX must count the same number of agents")
    pairs = rng.choice(len(FIRST_NAMES) * len(LAST_NAMES), size=len(contracts), replace=False)
    names = [f"{FIRST_NAMES[p // len(LAST_NAMES)]} {LAST_NAMES[p % len(LAST_NAMES)]}" for p in pairs]
    hours = [skill_hours(calendar, s) for s in skills]
    limits = [NO_LIMITS] * len(contracts)
    for contract_id, pattern in LIMIT_PATTERNS:
        pool = [i for i, c in enumerate(contracts) if c == contract_id and limits[i] is NO_LIMITS
                and contract_reachable(calendar, contract_id, pattern, hours=hours[i])]
        if not pool:
            raise ValueError(f"limit pattern {pattern} makes contract {contract_id} unreachable for every agent")
        limits[pool[int(rng.integers(len(pool)))]] = pattern
    agents = [AgentRow(f"A{i + 1:03d}", names[i], contracts[i], skills[i], limits[i]) for i in range(len(contracts))]
    stuck = [a.agent_id for a, h in zip(agents, hours)
             if not contract_reachable(calendar, a.contract, a.limits, hours=h)]
    if stuck:
        raise ValueError(f"agents {stuck} cannot meet their contract while their queues are open")
    return agents


def agent_rows(agents: list[AgentRow]) -> list[tuple[str, ...]]:
    def clock(value: int | None) -> str:
        return "" if value is None else _fmt_clock(value)
    return [(a.agent_id, a.name, a.contract, a.skills, clock(a.limits.available_from),
             clock(a.limits.available_to), ";".join(a.limits.unavailable_days)) for a in agents]


# --------------------------------------------------------------------------- time off

TIME_OFF_REASONS = ("annual leave", "medical appointment", "family wedding", "moving house",
                    "child's school event", "dentist", "annual leave")
FULL_TIMER_SATURDAYS_OFF = 2
PART_TIMER_DAYS_OFF = 5
# Requests outside the planning week: the planner must ignore them.
OUTSIDE_WEEK = (dt.date(2026, 11, 19), dt.date(2026, 12, 1))


def make_time_off(calendar: SiteCalendar, agents: list[AgentRow], seed: int) -> list[tuple[str, str, str]]:
    """Approved time off: a few in the planning week that keep every contract reachable, two outside it.

    Full-timers only lose a Saturday (their 5 x 8 h still fit Mon-Fri);
    part-timers lose one weekday.
    """
    rng = np.random.default_rng(np.random.SeedSequence([seed, 3]))
    saturday = next(d for d in PLANNING_WEEK if weekday_name(d) == "sat")
    weekdays = [d for d in PLANNING_WEEK if weekday_name(d) in WEEKDAYS[:5]]
    requests: list[tuple[AgentRow, dt.date]] = []

    def pick(candidates: list[AgentRow], count: int, dates: list[dt.date]) -> None:
        order = rng.permutation(len(candidates))
        for i in order:
            if count == 0:
                return
            agent = candidates[int(i)]
            day = dates[int(rng.integers(len(dates)))]
            if contract_reachable(calendar, agent.contract, agent.limits, (weekday_name(day),),
                                  skill_hours(calendar, agent.skills)):
                requests.append((agent, day))
                count -= 1
        if count:
            raise ValueError("not enough agents can take time off without breaking their contract")

    full = [a for a in agents if a.contract == "FT40" and "sat" not in a.limits.unavailable_days
            and "sat" in skill_hours(calendar, a.skills)]       # no request for a day they never work
    pick(full, FULL_TIMER_SATURDAYS_OFF, [saturday])
    part = [a for a in agents if a.contract != "FT40"]
    pick(part, PART_TIMER_DAYS_OFF, weekdays)
    taken = {a.agent_id for a, _ in requests}
    others = [a for a in agents if a.agent_id not in taken]
    for day in OUTSIDE_WEEK:
        requests.append((others[int(rng.integers(len(others)))], day))
    rows = [(a.agent_id, d.isoformat(), TIME_OFF_REASONS[int(rng.integers(len(TIME_OFF_REASONS)))])
            for a, d in requests]
    return sorted(rows, key=lambda r: (r[1], r[0]))


LEDGER_WEEKS = 8


def make_ledger(agents: list[AgentRow], seed: int) -> list[tuple[str, int, int, int]]:
    """Past fairness counts (weeks, weekends worked, late shifts) so the first plan has history to balance.

    Eight past weeks for most; a few recent starters with two. Agents who never
    work Saturdays have no weekends; part-timers work no late (L8) shifts.
    """
    rng = np.random.default_rng(np.random.SeedSequence([seed, 4]))
    rows = []
    for agent in agents:
        weeks = 2 if rng.random() < 0.08 else LEDGER_WEEKS
        saturdays = "sat" not in agent.limits.unavailable_days
        weekends = int(rng.binomial(weeks, 0.55 if agent.contract == "FT40" else 0.35)) if saturdays else 0
        lates = int(rng.binomial(weeks * 2, 0.3)) if agent.contract == "FT40" else 0
        rows.append((agent.agent_id, weeks, weekends, lates))
    return rows


# --------------------------------------------------------------------------- files


def to_csv(header: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """CSV text with '\\n' line ends and floats at one decimal, whatever the platform."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([f"{v:.1f}" if isinstance(v, float) else v for v in row])
    return buffer.getvalue()


def generate(out_dir: Path = SAMPLE_DIR, seed: int = DEFAULT_SEED, site_yaml: Path = SITE_YAML) -> dict[str, Path]:
    """Write the sample data files into out_dir; returns their paths by name."""
    calendar = load_calendar(site_yaml)
    unknown = [q for q in calendar.queue_ids if q not in PROFILES]
    if unknown:
        raise ValueError(f"no volume profile for queue(s) {unknown}; add them to PROFILES")
    agents = make_agents(calendar, seed)
    time_off = make_time_off(calendar, agents, seed)
    wishes = sample_preferences.make_preferences(
        calendar, agents, {a.agent_id: skill_hours(calendar, a.skills) for a in agents},
        {(agent_id, dt.date.fromisoformat(day)) for agent_id, day, _ in time_off}, PLANNING_WEEK, seed)
    ledger = make_ledger(agents, seed)
    past = sample_preferences.past_columns(calendar, agents, {row[0]: row[1] for row in ledger},
                                           {row[0] for row in wishes}, seed)
    texts = {
        "history": to_csv(("queue", "start", "contacts", "aht_s", "abandoned"), history_rows(calendar, seed)),
        "agents": to_csv(("agent_id", "name", "contract", "skills", "available_from", "available_to",
                          "unavailable_days"), agent_rows(agents)),
        "time_off": to_csv(("agent_id", "date", "reason"), time_off),
        "fairness_ledger": to_csv(("agent_id", "weeks", "weekends_worked", "late_shifts", "preferences_asked",
                                   "preferences_unmet", "extra_hours"), [(*row, *past[row[0]]) for row in ledger]),
        "preferences": to_csv(sample_preferences.HEADER, wishes),
    }
    paths = {}
    for name, text in texts.items():
        path = Path(out_dir) / f"{name}.csv"
        atomic_write_text(path, text)
        log.info("wrote %s (%d rows)", path, text.count("\n") - 1)
        paths[name] = path
    return paths


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m data.generate_sample", description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=SAMPLE_DIR, help="folder to write the CSVs into")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="random seed (default %(default)s)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(message)s")
    generate(args.out, args.seed)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
