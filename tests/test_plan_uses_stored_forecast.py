"""`plan` takes the newest forecast version the nightly batch stored, and forecasts afresh without one."""
from __future__ import annotations

import pandas as pd

from forecast.store import latest_forecast
from run_schedule import main


def test_plan_uses_the_latest_stored_version(small_site, tmp_path):
    db = tmp_path / "forecasts.sqlite"
    assert main(["forecast", "--site", str(small_site.site), "--horizon-days", "14", "--db", str(db)]) == 0
    out = tmp_path / "out"
    assert main(["plan", "--site", str(small_site.site), "--out", str(out), "--forecast-db", str(db)]) == 0
    written = pd.read_csv(out / "forecast.csv")
    stored = latest_forecast(db, ["voice", "chat"], pd.Timestamp("2026-03-02", tz="Europe/London"), 7)
    assert stored is not None
    stored = stored.assign(start=stored["start"].map(lambda t: t.isoformat()))
    merged = written.merge(stored, on=["queue", "start"], suffixes=("", "_db"))
    assert len(merged) == len(written) == 80
    assert (merged["contacts"] - merged["contacts_db"]).abs().max() < 0.01


def test_without_a_store_plan_forecasts_from_history(small_site, tmp_path):
    out = tmp_path / "out"
    assert main(["plan", "--site", str(small_site.site), "--out", str(out),
                 "--forecast-db", str(tmp_path / "none.sqlite")]) == 0
    assert len(pd.read_csv(out / "forecast.csv")) == 80
