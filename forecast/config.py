"""What the forecast needs from the site YAML: timezone, holidays, history file, special days.

Read here with a light touch (only these keys) so the forecast stays
independent of the scheduling side's full site loader. Special days may sit
in the site YAML under `special_days:` or in a YAML file of their own:

    special_days:
      - date: 2026-12-01
        name: Price-rise letters
        effect: 1.4          # × a normal day's volume; 0 = closed
        queues: [voice]      # optional; all queues when left out
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from common.errors import InputError
from common.io import require_file
from forecast.calendar import SpecialDay


@dataclass(frozen=True)
class ForecastSite:
    timezone: str
    interval_min: int | None
    holidays: tuple[str, str | None] | None
    history: Path | None
    special_days: tuple[SpecialDay, ...]


def _read_yaml(path: Path) -> Any:
    import yaml

    require_file(path, "YAML")
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise InputError(str(path), f"is not valid YAML ({exc})", "fix the indentation or quoting it points at") from None


def parse_special_days(items: Any, where: str) -> tuple[SpecialDay, ...]:
    """The `special_days` list: date, name, effect (multiplier ≥ 0), optional queues."""
    if items is None:
        return ()
    if not isinstance(items, list):
        raise InputError(where, "special_days must be a list", "write one '- date: ...' entry per day")
    result = []
    for i, item in enumerate(items):
        here = f"{where}[{i}]"
        if not isinstance(item, dict):
            raise InputError(here, "each special day needs date, name and effect", "see data/sample_site/site.yaml")
        unknown = set(item) - {"date", "name", "effect", "queues"}
        if unknown:
            raise InputError(f"{here}.{sorted(unknown)[0]}", "unknown key", "allowed: date, name, effect, queues")
        raw_date = item.get("date")
        try:
            date = raw_date if isinstance(raw_date, dt.date) else dt.date.fromisoformat(str(raw_date))
        except ValueError:
            raise InputError(f"{here}.date", f"'{raw_date}' is not a date", "write YYYY-MM-DD") from None
        effect = item.get("effect")
        if isinstance(effect, bool) or not isinstance(effect, (int, float)) or effect < 0:
            raise InputError(f"{here}.effect", f"{effect!r} is not a multiplier",
                             "write the expected volume as a multiple of a normal day, e.g. 1.3; 0 means closed")
        queues = item.get("queues") or ()
        if isinstance(queues, str):
            queues = (queues,)
        result.append(SpecialDay(date=date, name=str(item.get("name") or "special day"), effect=float(effect),
                                 queues=tuple(str(q) for q in queues)))
    return tuple(result)


def load_forecast_site(path: Path, special_days_path: Path | None = None) -> ForecastSite:
    """The forecast's view of a site YAML (and an optional separate special-days YAML)."""
    path = Path(path)
    raw = _read_yaml(path) or {}
    site = raw.get("site") or {}
    if not isinstance(site, dict) or "timezone" not in site:
        raise InputError(f"{path} site.timezone", "the site YAML has no timezone",
                         "add site: timezone: Europe/London (an IANA name)")
    holidays = None
    block = site.get("holidays")
    if isinstance(block, dict) and block.get("country"):
        holidays = (str(block["country"]), str(block["subdivision"]) if block.get("subdivision") else None)
    files = raw.get("files") or {}
    history = path.parent / str(files["history"]) if isinstance(files, dict) and files.get("history") else None
    special = parse_special_days(raw.get("special_days"), f"{path} special_days")
    if special_days_path is not None:
        extra = _read_yaml(Path(special_days_path)) or {}
        items = extra.get("special_days") if isinstance(extra, dict) else extra
        special += parse_special_days(items, f"{special_days_path} special_days")
    interval = site.get("interval_min")
    return ForecastSite(timezone=str(site["timezone"]), interval_min=int(interval) if interval else None,
                        holidays=holidays, history=history, special_days=special)
