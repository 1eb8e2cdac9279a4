"""Write a plan's files under one output folder, all or nothing.

Every file but timings.csv is byte-identical for the same inputs and seed (unless the solver's wall-clock
backstop cut the search, which the summary and the report then say).
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from common.io import staged_output
from pipeline.plan import PlanOutcome
from reports.html import render_report
from reports.xlsx import xlsx_bytes
from reports.tables import (activities_table, fairness_ledger_table, forecast_table, requirements_table,
                            roster_table)

OUTPUT_FILES = ("forecast.csv", "requirements.csv", "roster.csv", "activities.csv", "fairness_ledger.csv",
                "report.html", "roster.xlsx", "timings.csv")


def write_plan(outcome: PlanOutcome, out_dir: Path) -> list[Path]:
    with staged_output(out_dir) as staging:
        forecast_table(outcome).to_csv(staging / "forecast.csv", index=False)
        requirements_table(outcome).to_csv(staging / "requirements.csv", index=False)
        roster_table(outcome).to_csv(staging / "roster.csv", index=False)
        activities_table(outcome).to_csv(staging / "activities.csv", index=False)
        fairness_ledger_table(outcome).to_csv(staging / "fairness_ledger.csv", index=False)
        (staging / "report.html").write_text(render_report(outcome), encoding="utf-8")
        (staging / "roster.xlsx").write_bytes(xlsx_bytes(outcome))
        # Wall times differ run to run, so they live here and not in the byte-identical files above.
        timings = pd.DataFrame(list(outcome.stage_seconds.items()) + [("total", sum(outcome.stage_seconds.values()))],
                               columns=["stage", "seconds"])
        timings.to_csv(staging / "timings.csv", index=False, float_format="%.3f")
    return [Path(out_dir) / name for name in OUTPUT_FILES]
