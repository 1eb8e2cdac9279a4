"""Load and validate everything a plan needs before any work starts."""
from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from common.errors import InputError
from forecast.history import infer_interval_min, load_history
from rules.agents_file import load_agents, load_time_off
from rules.base import Rule
from rules.catalogue import site_rules
from rules.loader import load_site
from rules.site import Agent, Site, TimeOff

log = logging.getLogger(__name__)

DEFAULT_SITE = Path(__file__).resolve().parent.parent / "data" / "sample_site" / "site.yaml"


@dataclass
class SiteInputs:
    site: Site
    agents: list[Agent]
    time_off: list[TimeOff]
    history: pd.DataFrame
    rules: list[Rule]
    history_path: Path


def _file(site: Site, key: str, override: Path | None, what: str) -> Path:
    if override is not None:
        return Path(override)
    if key not in site.files:
        raise InputError(f"{site.source}: files.{key}", f"no {what} file given",
                         f"add 'files: {{{key}: FILE.csv}}' to the site YAML or pass --{key.replace('_', '-')}")
    return site.files[key]


def load_inputs(site_path: Path | None = None, history_path: Path | None = None,
                agents_path: Path | None = None, time_off_path: Path | None = None) -> SiteInputs:
    site = load_site(Path(site_path) if site_path else DEFAULT_SITE)
    agents = load_agents(_file(site, "agents", agents_path, "agents"), site)
    time_off: list[TimeOff] = []
    if time_off_path is not None or "time_off" in site.files:
        time_off = load_time_off(_file(site, "time_off", time_off_path, "time-off"), agents)
    history_file = _file(site, "history", history_path, "history")
    history = load_history(history_file, site.timezone)
    check_history_matches_site(history, site, history_file)
    rules = site_rules(site, time_off)
    log.info("read site '%s': %d queues, %d agents, %d time-off requests, %d history rows",
             site.name, len(site.queues), len(agents), len(time_off), len(history))
    return SiteInputs(site, agents, time_off, history, rules, history_file)


def check_history_matches_site(history: pd.DataFrame, site: Site, path: Path) -> None:
    queue_ids = [q.id for q in site.queues]
    history_queues = sorted(history["queue"].unique())
    unknown = [q for q in history_queues if q not in queue_ids]
    if unknown:
        first = history.loc[history["queue"] == unknown[0], "start"].min()
        raise InputError(f"{path}, column 'queue'", f"queue '{unknown[0]}' is not in the site YAML "
                         f"(its first interval starts {first.isoformat()})",
                         f"use one of the site's queue ids ({', '.join(queue_ids)}) or add the queue to the site YAML")
    missing = [q for q in queue_ids if q not in history_queues]
    if missing:
        raise InputError(str(path), f"no history for queue '{missing[0]}'",
                         "add its interval history, or remove the queue from the site YAML")
    interval = infer_interval_min(history, str(path))
    if interval != site.interval_min:
        raise InputError(str(path), f"the history has {interval}-minute intervals but the site YAML says "
                         f"interval_min: {site.interval_min}",
                         "make site.interval_min match the history (or re-export the history)")


def last_history_date(history: pd.DataFrame) -> dt.date:
    return history["start"].max().date()
