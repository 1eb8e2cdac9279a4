"""`surge`: today's actuals against the forecast, the rest of today re-forecast, re-staffed and re-planned
with the fewest changes; the one place that knows the order of the intraday stages."""
from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

import pandas as pd

from common.errors import InputError
from common.io import read_csv
from forecast.intraday.detect import detect
from forecast.intraday.reforecast import RatioEstimate, estimate_ratios, reforecast
from pipeline.quality import surge_gate
from rules.agents_file import load_agents, load_time_off
from rules.catalogue import site_rules
from rules.base import RosterShift
from rules.loader import load_site
from rules.site import WEEKDAYS, Agent, Site, TimeOff
from scheduler.evaluation import interval_evaluation, queue_summary
from scheduler.intraday.changes import change_table, shift_changes, skill_moves
from scheduler.intraday.inputs import load_actuals, load_roster
from scheduler.intraday.policy import IntradayPolicy, parse_policy
from scheduler.intraday.replan import Day, Replan, day_frame, replan_day
from scheduler.roster.week import planning_dates
from scheduler.staffing.requirements import requirements_frame

log = logging.getLogger(__name__)


@dataclass
class SurgeInputs:
    site: Site
    agents: list[Agent]
    time_off: list[TimeOff]
    roster: list[RosterShift]
    forecast: pd.DataFrame          # the day-ahead forecast the roster was planned on
    actuals: pd.DataFrame
    policy: IntradayPolicy
    day: Day
    findings: list = field(default_factory=list)   # data-quality warnings (errors refuse the re-plan)


@dataclass
class SurgeOutcome:
    inputs: SurgeInputs
    signals: list                   # forecast.intraday.QueueSignal per queue
    reforecast: pd.DataFrame
    requirements: pd.DataFrame      # rest of today, from the reforecast
    replans: dict[str, Replan]
    evaluations: dict[str, pd.DataFrame] = field(default_factory=dict)
    summaries: dict[str, pd.DataFrame] = field(default_factory=dict)
    changes: pd.DataFrame = field(default_factory=pd.DataFrame)
    ratios: dict[str, RatioEstimate] = field(default_factory=dict)   # per queue: observed and planned-on ratio


def parse_now(text: str, timezone: str) -> dt.datetime:
    tz = ZoneInfo(timezone)
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        raise InputError("--now", f"'{text}' is not a time", "write e.g. --now 2026-12-01T10:30 (site local time)") from None
    return moment.replace(tzinfo=tz) if moment.tzinfo is None else moment.astimezone(tz)


def load_forecast(path: Path, site: Site) -> pd.DataFrame:
    frame = read_csv(Path(path), "forecast", ["queue", "start", "contacts", "contacts_lo", "contacts_hi", "aht_s"])
    out = frame.copy()
    try:
        out["start"] = pd.to_datetime(out["start"], utc=True).dt.tz_convert(site.timezone)
        for column in ("contacts", "contacts_lo", "contacts_hi", "aht_s"):
            out[column] = out[column].astype(float)
    except (ValueError, TypeError) as exc:
        raise InputError(str(path), f"the forecast does not parse ({exc})", "pass the forecast.csv that plan wrote") from None
    if "model" not in out:
        out["model"] = "given"
    return out


def load_surge_inputs(site_path: Path, roster_path: Path, actuals_path: Path, now_text: str,
                      forecast_path: Path | None = None, agents_path: Path | None = None,
                      time_off_path: Path | None = None) -> SurgeInputs:
    site = load_site(site_path)
    policy = parse_policy(site.intraday, f"{site.source}: intraday")
    agents = load_agents(Path(agents_path) if agents_path else site.files["agents"], site)
    time_off = []
    if time_off_path or "time_off" in site.files:
        time_off = load_time_off(Path(time_off_path) if time_off_path else site.files["time_off"], agents)
    now = parse_now(now_text, site.timezone)
    roster = load_roster(roster_path, site, agents)
    first = min(r.shift.date for r in roster)
    start = first - dt.timedelta(days=(first.weekday() - WEEKDAYS.index(site.week_starts_on)) % 7)
    week = planning_dates(start)
    late = [r for r in roster if r.shift.date not in week]
    if late:
        raise InputError(str(roster_path), f"agent {late[0].agent_id} works {late[0].shift.date}, outside the week "
                         f"{week[0]} to {week[-1]} that the roster's first shift sets", "pass one week's roster.csv")
    if now.date() not in week:
        raise InputError("--now", f"{now:%Y-%m-%d %H:%M} is outside the roster's dates ({week[0]} to {week[-1]})",
                         "give a --now on a day the roster covers, or the roster of this week")
    forecast = load_forecast(forecast_path or Path(roster_path).parent / "forecast.csv", site)
    actuals = load_actuals(actuals_path, site, now)
    findings = surge_gate(site, agents, time_off, site_rules(site, time_off), actuals, actuals_path, week)
    return SurgeInputs(site, agents, time_off, roster, forecast, actuals, policy, day_frame(week, now, policy),
                       findings)


def _rest_of_day(frame: pd.DataFrame, day: Day) -> pd.DataFrame:
    starts = frame["start"]
    keep = (starts.dt.date == day.date) & (starts >= pd.Timestamp(day.now))
    return frame.loc[keep].sort_values(["queue", "start"], kind="stable").reset_index(drop=True)


def run_surge(inputs: SurgeInputs, time_limit_s: float, with_scratch: bool = True) -> SurgeOutcome:
    site, day = inputs.site, inputs.day
    signals = detect(inputs.forecast, inputs.actuals, pd.Timestamp(day.now), interval_min=site.interval_min)
    for signal in signals:
        log.info("%s", signal.message)
    updated = reforecast(inputs.forecast, inputs.actuals, pd.Timestamp(day.now), interval_min=site.interval_min)
    rest = _rest_of_day(updated, day)
    if rest.empty:
        raise InputError("--now", f"nothing of today is left to plan after {day.now:%H:%M}",
                         "run surge while the site is still open")
    requirements = requirements_frame(rest, site.queues, site.interval_min)
    lulls = frozenset(s.queue for s in signals if s.kind == "lull")
    surges = frozenset(s.queue for s in signals if s.kind == "surge")
    published_requirements = requirements_frame(_rest_of_day(inputs.forecast, day), site.queues, site.interval_min)
    replans = replan_day(site, inputs.agents, inputs.time_off, inputs.roster, requirements, published_requirements,
                         day, inputs.policy, time_limit_s, with_scratch, lulls, surges)
    published = replans.pop("published")
    outcome = SurgeOutcome(inputs, signals, rest, requirements, replans)
    outcome.ratios = estimate_ratios(inputs.forecast, inputs.actuals, pd.Timestamp(day.now),
                                     interval_min=site.interval_min)
    for name, replan in replans.items():
        outcome.evaluations[name] = interval_evaluation(site, requirements, replan.result.coverage)
        outcome.summaries[name] = queue_summary(site, outcome.evaluations[name])
    agents = {a.agent_id: a for a in inputs.agents}
    plan = replans["plan"]
    rows = shift_changes(inputs.roster, plan.result.shifts, agents, site, day.date, day.until, inputs.policy)
    rows += skill_moves(published.result.allocation, plan.result.allocation, plan.result.shifts, agents,
                        site.interval_min, inputs.policy)
    outcome.changes = change_table(rows)
    return outcome
