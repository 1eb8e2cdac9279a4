"""The data-quality gate: inputs that parse but make no sense are found before any work.

common/quality.py: the Finding type, every check's code and default severity, escalation from the site YAML;
forecast/quality.py: the history checks; site_checks.py: references, the week, shift templates; gate.py: the
gate each command calls.
"""
from common.quality import CODES, ERROR, WARNING, Finding, warnings_text
from pipeline.quality.gate import history_gate, plan_findings, plan_gate, surge_gate

__all__ = ["CODES", "ERROR", "WARNING", "Finding", "warnings_text", "history_gate", "plan_findings", "plan_gate", "surge_gate"]
