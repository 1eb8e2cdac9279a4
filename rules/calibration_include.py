"""The calibration fragment a site YAML can include, and the `auto` values it supplies.

`run_schedule.py calibrate` writes `calibration.yaml`; a site YAML names it at
the top level and takes any calibrated figure of a queue's service goal with
`auto`:

    calibration: calibration/calibration.yaml      # relative to the site YAML
    queues:
      - id: voice
        calibration_queue: retail                  # optional: its id in the records, if different
        service_goal: {service_level: 0.8, target_s: 20, patience_s: auto, after_call_s: auto,
                       handle_distribution: auto, handle_cv: auto}

Only the figures under `calibration.queues.<id>.use` can be taken; the rest of
the fragment (intervals, back-test errors) is carried along for the report.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from common.errors import InputError
from common.io import require_file

__all__ = ["AUTO", "AUTO_KEYS", "CalibrationInclude", "load_calibration", "resolve_auto"]

AUTO = "auto"
AUTO_KEYS = ("patience_s", "after_call_s", "handle_distribution", "handle_cv")


@dataclass(frozen=True)
class CalibrationInclude:
    path: Path
    queues: dict[str, dict[str, Any]]                 # per calibrated queue: figures `auto` may take
    details: dict[str, dict[str, Any]] = field(default_factory=dict)   # per queue: everything else
    source: dict[str, Any] = field(default_factory=dict)
    settings: dict[str, Any] = field(default_factory=dict)


def load_calibration(path: Path, where: str) -> CalibrationInclude:
    """Read the fragment; `where` names the site YAML key that points at it."""
    path = Path(path)
    if not path.exists():
        raise InputError(where, f"the calibration file {path} does not exist",
                         "run `run_schedule.py calibrate ... --out DIR` and point this key at DIR/calibration.yaml")
    require_file(path, "calibration")
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise InputError(str(path), f"YAML syntax error: {getattr(exc, 'problem', None) or exc}",
                         "re-run calibrate to write it again") from None
    body = raw.get("calibration") if isinstance(raw, dict) else None
    queues = body.get("queues") if isinstance(body, dict) else None
    if not isinstance(queues, dict) or not queues:
        raise InputError(str(path), "is not a calibration written by `run_schedule.py calibrate` "
                         "(no calibration.queues mapping)", "point the site YAML's calibration key at calibrate's "
                         "calibration.yaml")
    use: dict[str, dict[str, Any]] = {}
    for queue, block in queues.items():
        figures = block.get("use") if isinstance(block, dict) else None
        if not isinstance(figures, dict):
            raise InputError(f"{path}: calibration.queues.{queue}", "has no 'use' mapping of calibrated figures",
                             "re-run calibrate to write it again")
        use[str(queue)] = {k: v for k, v in figures.items() if k in AUTO_KEYS}
    return CalibrationInclude(path, use, {str(q): b for q, b in queues.items()}, dict(body.get("source") or {}),
                              dict(body.get("settings") or {}))


def resolve_auto(raw: dict[str, Any], where: str, include: CalibrationInclude | None,
                 queue: str) -> tuple[dict[str, Any], tuple[str, ...]]:
    """Replace `auto` values of a service goal by the calibrated figures of `queue`.

    Returns the resolved mapping and the keys that came from the calibration.
    """
    auto = [k for k, v in raw.items() if isinstance(v, str) and v.strip().lower() == AUTO]
    if not auto:
        return raw, ()
    bad = [k for k in auto if k not in AUTO_KEYS]
    if bad:
        raise InputError(f"{where}.{bad[0]}", "cannot be 'auto'", f"only {', '.join(AUTO_KEYS)} can be calibrated")
    if include is None:
        raise InputError(f"{where}.{auto[0]}", "'auto' needs a calibration, and the site YAML names none",
                         "add `calibration: path/to/calibration.yaml` at the top level of the site YAML "
                         "(written by `run_schedule.py calibrate`), or write a number")
    figures = include.queues.get(queue)
    if figures is None:
        raise InputError(f"{where}.{auto[0]}", f"the calibration {include.path} has no queue '{queue}' "
                         f"(it has {', '.join(sorted(include.queues))})",
                         "set the queue's calibration_queue to one of those, or write a number")
    resolved = dict(raw)
    for key in auto:
        if key not in figures or figures[key] is None:
            raise InputError(f"{where}.{key}", f"the calibration of queue '{queue}' has no {key}",
                             "write a value by hand (interval records give no handle-time spread), or calibrate "
                             "from per-call records")
        resolved[key] = figures[key]
    return resolved, tuple(auto)
