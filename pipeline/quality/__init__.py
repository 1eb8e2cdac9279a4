"""The data-quality gate: inputs that parse but make no sense are found before any work (see finding.py)."""
from pipeline.quality.finding import CODES, ERROR, WARNING, Finding, warnings_text
from pipeline.quality.gate import history_gate, plan_findings, plan_gate

__all__ = ["CODES", "ERROR", "WARNING", "Finding", "warnings_text", "history_gate", "plan_findings", "plan_gate"]
