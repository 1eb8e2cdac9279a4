"""Write a plan's files under one output folder, all or nothing."""
from __future__ import annotations

from pathlib import Path

from common.io import staged_output
from pipeline.plan import PlanOutcome
from reports.html import render_report
from reports.xlsx import xlsx_bytes
from reports.tables import (activities_table, fairness_ledger_table, forecast_table, requirements_table,
                            roster_table)

OUTPUT_FILES = ("forecast.csv", "requirements.csv", "roster.csv", "activities.csv", "fairness_ledger.csv",
                "report.html", "roster.xlsx")


def write_plan(outcome: PlanOutcome, out_dir: Path) -> list[Path]:
    with staged_output(out_dir) as staging:
        forecast_table(outcome).to_csv(staging / "forecast.csv", index=False)
        requirements_table(outcome).to_csv(staging / "requirements.csv", index=False)
        roster_table(outcome).to_csv(staging / "roster.csv", index=False)
        activities_table(outcome).to_csv(staging / "activities.csv", index=False)
        fairness_ledger_table(outcome).to_csv(staging / "fairness_ledger.csv", index=False)
        (staging / "report.html").write_text(render_report(outcome), encoding="utf-8")
        (staging / "roster.xlsx").write_bytes(xlsx_bytes(outcome))
    return [Path(out_dir) / name for name in OUTPUT_FILES]
