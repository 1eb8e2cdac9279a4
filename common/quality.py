"""One data-quality finding, and what the gate does with a list of them.

A finding says what is wrong, where (file, row, key), why it matters to the plan and what to do.
Its severity decides what happens: an `error` refuses the run (exit 2, nothing written), a
`warning` is printed and shown in the report's "Data quality" section and the run goes on.
Each check's default severity is in CODES; a site YAML turns named warnings into errors with

    data_quality:
      errors: [history-outlier, history-closed-contacts]
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from common.errors import InputError, InputErrors

ERROR = "error"
WARNING = "warning"

# code -> (default severity, what the check looks for). The README's data-quality table lists the same.
CODES: dict[str, tuple[str, str]] = {
    "history-future": (ERROR, "history rows that start after today"),
    "history-stray-rows": (ERROR, "a few history rows far (more than 4 weeks) from the rest"),
    "history-weeks-missing": (WARNING, "a whole week or more without any history inside the history"),
    "history-too-short": (ERROR, "less than a week of history for a queue"),
    "history-short": (WARNING, "less history than the better models need (21 days; 8 weeks for a solid backtest)"),
    "history-weekday-missing": (WARNING, "a weekday the queue is open in the planned week never appears in its history"),
    "history-all-zero": (ERROR, "a queue whose history is all zero contacts"),
    "history-constant": (WARNING, "a queue whose contacts are the same number in every interval"),
    "history-outlier": (WARNING, "an interval far outside what the queue has ever seen"),
    "history-closed-contacts": (WARNING, "contacts in intervals when the site or queue is closed"),
    "history-off-grid": (ERROR, "interval starts that are not on the site's interval grid"),
    "history-aht-missing": (ERROR, "no aht_s for a queue (no column, or every cell blank)"),
    "unknown-agent-in-rules": (ERROR, "a rule entry's agents: names an agent who is not in the agents file"),
    "unknown-agent-in-preferences": (WARNING, "a preference request for an agent who is not in the agents file"),
    "unknown-agent-in-ledger": (WARNING, "a fairness-ledger row for an agent who is not in the agents file"),
    "time-off-far": (WARNING, "time off more than a year from the planned week"),
    "week-start-weekday": (ERROR, "--week-start is not the site's first day of the week"),
    "week-beyond-history": (WARNING, "the planned week starts more than 2 weeks after the history ends"),
    "week-far-beyond-history": (ERROR, "the planned week starts more than 13 weeks after the history ends"),
    "shift-template-unusable": (WARNING, "a shift template none of whose starts fits inside the opening hours"),
}


@dataclass(frozen=True)
class Finding:
    code: str
    severity: str          # error | warning
    where: str             # file and row, column or key
    what: str
    why: str
    fix: str

    def message(self) -> str:
        return f"{self.where}: {self.what} [{self.code}]\n  why it matters: {self.why}\n  how to fix: {self.fix}"

    def as_error(self) -> InputError:
        return InputError(self.where, f"{self.what} [{self.code}]\n  why it matters: {self.why}", self.fix)


def finding(code: str, where: str, what: str, why: str, fix: str) -> Finding:
    """A finding with its code's default severity."""
    return Finding(code, CODES[code][0], where, what, why, fix)


def escalations(raw: Any, where: str) -> frozenset[str]:
    """The codes a site YAML's `data_quality:` block turns into errors (checked against CODES)."""
    if raw is None:
        return frozenset()
    if not isinstance(raw, dict) or set(raw) - {"errors"}:
        raise InputError(where, "expected 'errors: [code, ...]'",
                         "write data_quality: {errors: [history-outlier]} to refuse plans with those findings")
    codes = raw.get("errors") or []
    if not isinstance(codes, list):
        raise InputError(f"{where}.errors", f"{codes!r} is not a list", "write errors: [history-outlier, ...]")
    for index, code in enumerate(codes):
        if code not in CODES:
            raise InputError(f"{where}.errors[{index}]", f"unknown data-quality check {code!r}",
                             f"use one of: {', '.join(sorted(CODES))}")
    return frozenset(codes)


def escalate(findings: list[Finding], codes: frozenset[str]) -> list[Finding]:
    return [Finding(f.code, ERROR, f.where, f.what, f.why, f.fix) if f.code in codes else f for f in findings]


def raise_errors(findings: list[Finding]) -> None:
    """Refuse the run when any finding is an error: all errors together, one InputError."""
    errors = [f.as_error() for f in findings if f.severity == ERROR]
    if len(errors) == 1:
        raise errors[0]
    if errors:
        raise InputErrors(errors)


def warnings_text(findings: list[Finding]) -> str:
    """The warnings as the terminal shows them ('' when there are none)."""
    shown = [f for f in findings if f.severity == WARNING]
    if not shown:
        return ""
    return "\n".join([f"data quality: {len(shown)} warning(s) (the plan goes on; see the report's Data quality)"]
                     + [f"warning: {f.message()}" for f in shown])
