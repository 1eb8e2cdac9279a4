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
from forecast.quality import RowFinder, check_history, history_gate
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
