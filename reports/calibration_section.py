"""Report section: which staffing figures were calibrated from the centre's records, and how well they predicted.

Empty when the site YAML names no calibration. Otherwise, per queue that took
figures with `auto`: each figure with its interval and how it was obtained,
then the back-test on the test sample (records after --fit-until) — MAE and
bias of service level, abandonment and ASA, beside the noise floor a perfectly
true model would still show and beside the uncalibrated models.
"""
from __future__ import annotations

from typing import Any

import pandas as pd

from reports.htmlkit import esc, table

__all__ = ["render", "calibration_html"]

FIGURES = {
    "patience_s": ("mean caller patience", "patience", "mean_s", "ci_s", "s"),
    "after_call_s": ("pause after a call before the next", "availability", "after_call_s", "after_call_ci_s", "s"),
    "handle_distribution": ("handle-time distribution", "handle", "closer_to", None, ""),
    "handle_cv": ("handle-time coefficient of variation", "handle", "cv", "cv_ci", ""),
}
MEASURES = (("sl", "service level", 100.0, "pts"), ("abandon", "abandonment", 100.0, "pts"), ("asa_s", "ASA", 1.0, "s"))


def _value(details: dict, key: str) -> tuple[str, str]:
    _, block, field, ci_field, unit = FIGURES[key]
    part = details.get(block, {})
    value = part.get(field)
    text = f"{value:.4g} {unit}".strip() if isinstance(value, (int, float)) else str(value)
    ci = part.get(ci_field) if ci_field else None
    ci_text = f"[{ci[0]:.4g}, {ci[1]:.4g}]" if ci and None not in ci else "-"
    return text, ci_text


def _figures(queue_id: str, keys: tuple[str, ...], details: dict) -> pd.DataFrame:
    rows = []
    for key in keys:
        text, ci = _value(details, key)
        how = ""
        if key == "after_call_s":
            how = details.get("availability", {}).get("method", "")
        elif key == "patience_s":
            how = details.get("patience", {}).get("model", "")
        rows.append({"queue": queue_id, "figure": FIGURES[key][0], "key": key, "value": text, "95% interval": ci,
                     "how": how})
    return pd.DataFrame(rows)


def _errors(queue_id: str, details: dict) -> pd.DataFrame:
    test = details.get("backtest", {}).get("test", {})
    rows = []
    for model in ("calibrated", "erlang_a_factor", "erlang_a_uncalibrated", "erlang_c"):
        if model not in test:
            continue
        row: dict[str, Any] = {"queue": queue_id, "model": model, "intervals": test.get("intervals")}
        for key, label, scale, unit in MEASURES:
            m = test[model].get(key, {})
            row[f"{label} MAE ({unit})"] = None if m.get("mae") is None else scale * m["mae"]
            row[f"{label} bias ({unit})"] = None if m.get("bias") is None else scale * m["bias"]
        rows.append(row)
        if model == "calibrated":
            floor = {"queue": queue_id, "model": "noise floor (a true model)", "intervals": test.get("intervals")}
            for key, label, scale, unit in MEASURES:
                value = test[model].get(key, {}).get("floor_mae")
                floor[f"{label} MAE ({unit})"] = None if value is None else scale * value
            rows.append(floor)
    return pd.DataFrame(rows)


def calibration_html(site: Any) -> str:
    """The section for a loaded Site ("" without a calibration)."""
    include = getattr(site, "calibration", None)
    if include is None:
        return ""
    figures, errors = [], []
    for queue in site.queues:
        keys = tuple(getattr(queue, "calibrated", ()))
        name = getattr(queue, "calibration_queue", None) or queue.id
        details = include.details.get(name)
        if not keys or details is None:
            continue
        figures.append(_figures(queue.id, keys, details))
        errors.append(_errors(queue.id, details))
    settings = include.settings
    source = include.source
    intro = (f"From {esc(source.get('kind', 'records'))} {esc(source.get('first', '')[:10])} to "
             f"{esc(source.get('last', '')[:10])} ({esc(include.path.name)}): fitted before "
             f"{esc(settings.get('fit_until', '?'))}, tested on the rest, {esc(settings.get('interval_min', '?'))}-minute "
             f"intervals with at least {esc(settings.get('min_offered', '?'))} offered calls, target "
             f"{esc(settings.get('target_s', '?'))} s.")
    parts = ['<section id="calibration"><h2>Calibration</h2>', f'<p class="note">{intro}</p>']
    if not figures:
        parts.append("<p>The site YAML names a calibration but takes no figure from it (no <code>auto</code>).</p>")
        return "".join(parts) + "</section>"
    parts += ["<h3>Figures taken from the calibration</h3>", table(pd.concat(figures, ignore_index=True)),
              "<h3>How well the calibrated model predicted the test sample</h3>",
              '<p class="note">Each interval predicted from its offered calls, handle time and agents on duty; '
              "MAE and bias (predicted − actual). The noise floor is the MAE a perfectly true model would still "
              "show at these volumes (seeded simulation).</p>"]
    frame = pd.concat(errors, ignore_index=True)
    parts.append(table(frame, {c: ".1f" for c in frame.columns if "MAE" in c or "bias" in c}))
    return "".join(parts) + "</section>"


def render(outcome: Any) -> str:
    """The section for a plan outcome (same signature as the report's other sections)."""
    return calibration_html(outcome.inputs.site)
