"""`plan`: forecast next week, turn it into agents required, roster it, check it, evaluate it."""
from __future__ import annotations

import datetime as dt
import logging
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from zoneinfo import ZoneInfo

import pandas as pd

from common.errors import InputError
from forecast.api import forecast_with_accuracy
from forecast.config import parse_special_days
from forecast.store import latest_forecast, stored_accuracy
from pipeline.inputs import SiteInputs, last_history_date
from pipeline.quality import plan_gate
from rules.base import Penalty, RosterView, Violation
from rules.catalogue import hard_violations, soft_penalties
from scheduler.evaluation import interval_evaluation, queue_summary
from scheduler.roster.coverage_check import check_coverage
from scheduler.roster.diagnose import find_conflicts
from scheduler.roster.model import RosterProblem
from scheduler.roster.solve import RosterResult, solve_roster
from scheduler.roster.week import open_interval_starts, planning_dates, week_start_after
from scheduler.staffing.requirements import requirements_frame

log = logging.getLogger(__name__)


@dataclass
class PlanOutcome:
    inputs: SiteInputs
    dates: tuple[dt.date, ...]
    forecast: pd.DataFrame
    requirements: pd.DataFrame
    roster: RosterResult
    violations: list[Violation]
    penalties: list[Penalty]                # what each soft rule charges, recomputed from the roster
    evaluation: pd.DataFrame
    summary: pd.DataFrame
    rule_names: list[tuple[str, str]]       # (kind, description) of every rule checked
    stage_seconds: dict[str, float]
    forecast_used: ForecastUsed | None = None   # which forecast (model, stored version) and its backtest accuracy
    findings: list = field(default_factory=list)   # pipeline.quality.Finding: the data-quality warnings it ran with


def open_grid(inputs: SiteInputs, dates: tuple[dt.date, ...]) -> pd.DataFrame:
    """Every (queue, interval start) the site YAML says is open in the planning week."""
    site = inputs.site
    tz = ZoneInfo(site.timezone)
    frames = []
    for queue in site.queues:
        starts = open_interval_starts(site.queue_hours(queue), dates, site.interval_min, tz)
        frames.append(pd.DataFrame({"queue": queue.id, "start": pd.DatetimeIndex(starts).tz_convert(site.timezone)}))
    return pd.concat(frames, ignore_index=True)


@dataclass
class ForecastUsed:
    """The forecast a plan used, before it is laid on the site's open intervals, and where it came from."""

    raw: pd.DataFrame        # forecast contract rows (any intervals the models or the store produced)
    source: str              # e.g. "forecast from history at plan time" or "stored forecast (voice v3, ...)"
    accuracy: pd.DataFrame   # queue, model, backtest_wape, naive_wape, coverage80, loses_to_naive[, version]


def make_forecast(inputs: SiteInputs, dates: tuple[dt.date, ...], forecast_db: Path | None = None) -> ForecastUsed:
    """The newest version in the nightly batch's store when it covers the week for every queue;
    otherwise the week forecast from the history now."""
    site = inputs.site
    start = pd.Timestamp(dates[0]).tz_localize(site.timezone)
    raw = latest_forecast(forecast_db, [q.id for q in site.queues], start, len(dates)) if forecast_db else None
    if raw is not None:
        by_queue = raw.groupby("queue")["version_id"].first()
        versions = ", ".join(f"{q} v{int(v)}" for q, v in by_queue.items())
        log.info("  using the stored forecast (%s) from %s", versions, forecast_db)
        raw = raw.assign(start=raw["start"].dt.tz_convert(site.timezone))
        accuracy = stored_accuracy(forecast_db, {str(q): int(v) for q, v in by_queue.items()})
        return ForecastUsed(raw, f"stored forecast ({versions}) from {forecast_db}", accuracy)
    holidays = (site.holidays_country, site.holidays_subdivision) if site.holidays_country else None
    special = parse_special_days(list(site.special_days), f"{site.source}: special_days") if site.special_days else ()
    raw, accuracy = forecast_with_accuracy(inputs.history, start, len(dates), site.interval_min, site.timezone,
                                           holidays, special_days=special)
    return ForecastUsed(raw, "forecast from the history at plan time", accuracy)


def forecast_on_grid(inputs: SiteInputs, dates: tuple[dt.date, ...], raw: pd.DataFrame) -> pd.DataFrame:
    """The forecast on the site's open intervals; an open interval the history never saw gets 0 contacts."""
    grid = open_grid(inputs, dates)
    merged = grid.merge(raw, on=["queue", "start"], how="left")
    typical_aht = inputs.history.groupby("queue")["aht_s"].median() if "aht_s" in inputs.history else None
    unseen = merged["contacts"].isna()
    for column in ("contacts", "contacts_lo", "contacts_hi"):
        merged[column] = merged[column].fillna(0.0)
    if typical_aht is not None:
        merged["aht_s"] = merged["aht_s"].fillna(merged["queue"].map(typical_aht))
    assumed = merged["aht_s"].isna()
    if assumed.any():
        log.warning("  %d open interval(s) of %s have no handle time in the forecast or the history: assumed 300 s",
                    int(assumed.sum()), ", ".join(sorted(merged.loc[assumed, "queue"].unique())))
    merged["aht_s"] = merged["aht_s"].fillna(300.0)
    merged["model"] = merged["model"].fillna("closed-in-history")
    if unseen.any():
        log.info("  %d open interval(s) never seen in the history are forecast at 0 contacts", int(unseen.sum()))
    return merged


def forecast_week(inputs: SiteInputs, dates: tuple[dt.date, ...], forecast_db: Path | None = None) -> pd.DataFrame:
    """The forecast on the site's open intervals (stored version if one covers the week, else computed now)."""
    return forecast_on_grid(inputs, dates, make_forecast(inputs, dates, forecast_db).raw)


def choose_dates(inputs: SiteInputs, week_start: dt.date | None) -> tuple[dt.date, ...]:
    start = week_start or week_start_after(last_history_date(inputs.history), inputs.site)
    first_history = inputs.history["start"].min().date()
    if start <= first_history:
        raise InputError("--week-start", f"{start} is not after the start of the history ({first_history})",
                         "plan a week after the history (the default is the week after it ends)")
    return planning_dates(start)


def roster_view(inputs: SiteInputs, dates: tuple[dt.date, ...], shifts) -> RosterView:
    agents = {a.agent_id: a for a in inputs.agents}
    return RosterView(inputs.site, agents, tuple(inputs.time_off), dates, tuple(shifts))


def check_roster(inputs: SiteInputs, dates: tuple[dt.date, ...], result: RosterResult) -> list[Violation]:
    view = roster_view(inputs, dates, result.shifts)
    violations = hard_violations(inputs.rules, view)
    violations += check_coverage(result.shifts, view.agents, inputs.site.interval_min, result.allocation, result.coverage)
    return violations


def raise_if_infeasible(problem: RosterProblem) -> None:
    conflicts = find_conflicts(problem)
    if conflicts:
        shown = "\n  ".join(c.message() for c in conflicts[:10])
        more = f"\n  ... and {len(conflicts) - 10} more agent(s)" if len(conflicts) > 10 else ""
        raise InputError("rules", f"the week cannot be rostered:\n  {shown}{more}",
                         "relax one of the named rules, the agent's contract or availability, or their time off")


def run_plan(inputs: SiteInputs, week_start: dt.date | None = None, time_limit_s: float | None = None,
             forecast_db: Path | None = None, forecast: ForecastUsed | None = None) -> PlanOutcome:
    """The whole pipeline for one week. `forecast`, when given, is used instead of forecasting again
    (scenario runs compute the base forecast once and hand each run its own changed copy)."""
    site = inputs.site
    if time_limit_s is not None:
        site = replace(site, solver=replace(site.solver, time_limit_s=time_limit_s))
        inputs = replace(inputs, site=site)
    timings: dict[str, float] = {}
    dates = choose_dates(inputs, week_start)
    findings = plan_gate(inputs, dates, week_start is not None)      # refuses data that parses but makes no sense
    problem = RosterProblem(site, inputs.agents, inputs.time_off, dates, inputs.rules)

    clock = time.perf_counter()
    raise_if_infeasible(problem)
    timings["rule check"] = time.perf_counter() - clock

    log.info("forecasting %s to %s ...", dates[0], dates[-1])
    clock = time.perf_counter()
    used = forecast if forecast is not None else make_forecast(inputs, dates, forecast_db)
    forecast = forecast_on_grid(inputs, dates, used.raw)
    timings["forecast"] = time.perf_counter() - clock

    clock = time.perf_counter()
    requirements = requirements_frame(forecast, site.queues, site.interval_min)
    timings["staffing"] = time.perf_counter() - clock
    log.info("staffing: %d queue-intervals, peak %d agents", len(requirements), int(requirements["agents"].max()))

    log.info("building the roster (time limit %g s, %d workers) ...", site.solver.time_limit_s, site.solver.workers)
    clock = time.perf_counter()
    problem.requirements = requirements
    result = solve_roster(problem)
    timings["roster"] = time.perf_counter() - clock
    if not result.shifts:
        raise InputError("roster", f"the solver found no roster within {site.solver.time_limit_s:g} s "
                         f"(status {result.report.status})",
                         "raise solver.time_limit_s in the site YAML or --time-limit")

    clock = time.perf_counter()
    violations = check_roster(inputs, dates, result)
    penalties = soft_penalties(inputs.rules, roster_view(inputs, dates, result.shifts))
    evaluation = interval_evaluation(site, requirements, result.coverage)
    summary = queue_summary(site, evaluation)
    timings["checks"] = time.perf_counter() - clock
    rule_names = [(r.kind, r.describe()) for r in inputs.rules]
    return PlanOutcome(inputs, dates, forecast, requirements, result, violations, penalties, evaluation, summary,
                       rule_names, timings, used, findings)
