"""The data-quality gate every command runs before any work: validate, plan, forecast, scenarios, surge.

`plan_gate` checks a plan's inputs (history, references, the week); `history_gate` (forecast.quality) a
history alone (the `forecast` command and each queue of the nightly batch). Both return the findings after the site's
escalations and raise an InputError when any is an error, so nothing is computed or written on bad data.
"""
from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path

import pandas as pd

from common.quality import Finding, escalate, escalations, raise_errors
from forecast.quality import RowFinder, _closed, _grid, check_history, history_gate
from pipeline.quality.site_checks import check_references, check_templates, check_week, check_weekdays

log = logging.getLogger(__name__)


def site_escalations(site) -> frozenset[str]:
    where = f"{site.source}: data_quality" if getattr(site, "source", None) else "data_quality"
    return escalations(getattr(site, "data_quality", None), where)


def plan_findings(inputs, dates: tuple[dt.date, ...], week_start_given: bool = False,
                  today: dt.date | None = None) -> list[Finding]:
    """Every finding on a plan's inputs for the week `dates` (not yet escalated or raised)."""
    site = inputs.site
    path = Path(inputs.history_path) if inputs.history_path is not None else None
    name = str(path) if path is not None else "history"
    hours = {q.id: site.queue_hours(q) for q in site.queues}
    findings = check_history(inputs.history, path, site.timezone, interval_min=site.interval_min, hours=hours,
                             today=today, rows=RowFinder(path, site.timezone))
    findings += check_weekdays(site, dates, inputs.history, name)
    findings += check_week(site, dates, inputs.history, name, week_start_given, inputs.time_off)
    findings += check_references(inputs.rules, inputs.agents, site)
    findings += check_templates(site)
    return findings


def plan_gate(inputs, dates: tuple[dt.date, ...], week_start_given: bool = False,
              today: dt.date | None = None) -> list[Finding]:
    """The findings on a plan's inputs; an InputError (every error together) when any refuses the plan."""
    findings = escalate(plan_findings(inputs, dates, week_start_given, today), site_escalations(inputs.site))
    for f in findings:
        log.debug("data quality %s %s: %s", f.severity, f.code, f.where)
    raise_errors(findings)
    return findings


def surge_gate(site, agents: list, time_off: list, rules: list, actuals: pd.DataFrame, actuals_path: Path,
               week: tuple[dt.date, ...]) -> list[Finding]:
    """The intraday re-plan's inputs: today's actuals on the grid and inside opening hours, the references
    and shift templates as for a plan, time off near the roster's week. Raises on errors."""
    hours = {q.id: site.queue_hours(q) for q in site.queues}
    rows = RowFinder(Path(actuals_path), site.timezone)
    local = actuals["start"].dt.tz_convert(site.timezone)
    findings: list[Finding] = []
    for queue, part in actuals.groupby("queue", sort=True):
        starts = local.loc[part.index]
        findings += _grid(str(queue), part, starts, site.interval_min, rows)
        if str(queue) in hours:
            findings += _closed(str(queue), part, starts, hours[str(queue)], rows)
    findings += [f for f in check_week(site, week, actuals, str(actuals_path), False, time_off)
                 if f.code == "time-off-far"]
    findings += check_references(rules, agents, site)
    findings += check_templates(site)
    findings = escalate(findings, site_escalations(site))
    raise_errors(findings)
    return findings
