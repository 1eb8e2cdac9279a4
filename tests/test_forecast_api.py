"""forecast_queues: the forecast contract other tools build on."""
from __future__ import annotations

import time

import numpy as np
import pandas as pd
import pytest

from common.errors import InputError
from forecast.api import FORECAST_COLUMNS, forecast_queues
from forecast.synthetic import synthetic_history

TZ = "Europe/London"
ALL_WEEK = np.array([1.2, 1.1, 1.0, 1.0, 0.9, 0.6, 0.5])


@pytest.fixture(scope="module")
def history() -> pd.DataFrame:
    return synthetic_history(3, weeks=14, first_day="2024-01-01", seed=1)


def test_contract_columns_and_open_intervals_only(history):
    start = pd.Timestamp("2024-04-08", tz=TZ)
    out = forecast_queues(history, start, 14, 30, TZ)
    assert list(out.columns) == FORECAST_COLUMNS
    assert str(out["start"].dt.tz) == TZ
    assert set(out["queue"]) == set(history["queue"])
    local = out["start"].dt.tz_localize(None)
    assert (local.dt.day_of_week != 6).all()                       # Sundays never open in history
    assert local.dt.hour.min() == 8 and local.max().hour == 19   # 08:00-20:00 only
    assert len(out) == 3 * 12 * 24                               # 12 open days × 24 half-hours
    assert out["start"].min() >= start and out["start"].max() < start + pd.Timedelta(days=14)
    assert (out["contacts_lo"] <= out["contacts"]).all() and (out["contacts"] <= out["contacts_hi"]).all()
    assert (out["contacts_lo"] >= 0).all()
    assert out["model"].notna().all() and out["aht_s"].between(150, 600).all()


def test_fast_for_a_site(history):
    t0 = time.perf_counter()
    forecast_queues(history, pd.Timestamp("2024-04-08", tz=TZ), 28, 30, TZ, ("GB", "ENG"))
    assert time.perf_counter() - t0 < 5.0


def test_days_add_up_and_track_the_level(history):
    out = forecast_queues(history, pd.Timestamp("2024-04-08", tz=TZ), 7, 30, TZ)
    hist_q = history[history["queue"] == "q0000"]
    last_weeks = hist_q[hist_q["start"] >= pd.Timestamp("2024-03-11", tz=TZ)]
    weekly_actual = last_weeks["contacts"].sum() / 4
    weekly_forecast = out.loc[out["queue"] == "q0000", "contacts"].sum()
    assert weekly_forecast == pytest.approx(weekly_actual, rel=0.12)


@pytest.mark.parametrize("day,expected", [("2024-03-31", 46), ("2024-10-27", 50), ("2024-10-28", 48)])
def test_dst_days_have_46_or_50_half_hours(day, expected):
    hist = synthetic_history(1, weeks=6, first_day="2024-02-12" if day < "2024-06" else "2024-09-09",
                             open_min=0, close_min=1440, weekday_factor=ALL_WEEK, seed=2)
    last = hist["start"].max().tz_convert(TZ).normalize() + pd.Timedelta(days=1)
    if day < "2024-06":
        hist = hist[hist["start"] < pd.Timestamp("2024-03-25", tz=TZ)]
        last = pd.Timestamp("2024-03-25", tz=TZ)
    days = (pd.Timestamp(day) - last.tz_localize(None)).days + 1
    out = forecast_queues(hist, last, days, 30, TZ)
    local_day = out["start"].dt.tz_localize(None).dt.normalize()
    on_day = out[local_day == pd.Timestamp(day)]
    assert len(on_day) == expected
    assert on_day["start"].is_unique
    assert on_day["start"].dt.tz_convert("UTC").diff().dropna().eq(pd.Timedelta(minutes=30)).all()


def test_missing_day_is_a_gap_not_zeros(history):
    start = pd.Timestamp("2024-04-08", tz=TZ)
    full = forecast_queues(history, start, 7, 30, TZ)
    local_date = history["start"].dt.tz_localize(None).dt.normalize()
    gappy = history[~local_date.isin(pd.to_datetime(["2024-03-25", "2024-04-01", "2024-04-02"]))]
    out = forecast_queues(gappy, start, 7, 30, TZ)
    mondays_full = full[full["start"].dt.day_of_week == 0]["contacts"].sum()
    mondays_gappy = out[out["start"].dt.day_of_week == 0]["contacts"].sum()
    assert mondays_gappy == pytest.approx(mondays_full, rel=0.1)
    assert len(out) == len(full)


def test_holiday_in_history_does_not_drag_the_forecast():
    hist = synthetic_history(1, weeks=14, first_day="2024-02-05", seed=3)
    local_date = hist["start"].dt.tz_localize(None).dt.normalize()
    plain = forecast_queues(hist, pd.Timestamp("2024-05-13", tz=TZ), 7, 30, TZ, ("GB", "ENG"))
    # Good Friday, Easter Monday and the Early May bank holiday at a third of a normal day.
    holiday = hist.copy()
    on_holiday = local_date.isin(pd.to_datetime(["2024-03-29", "2024-04-01", "2024-05-06"]))
    holiday.loc[on_holiday, "contacts"] = np.round(holiday.loc[on_holiday, "contacts"] / 3)
    out = forecast_queues(holiday, pd.Timestamp("2024-05-13", tz=TZ), 21, 30, TZ, ("GB", "ENG"))
    monday = out["start"].dt.tz_localize(None).dt.normalize() == pd.Timestamp("2024-05-13")
    plain_monday = plain["start"].dt.tz_localize(None).dt.normalize() == pd.Timestamp("2024-05-13")
    assert out.loc[monday, "contacts"].sum() == pytest.approx(plain.loc[plain_monday, "contacts"].sum(), rel=0.08)
    # The spring bank holiday (Mon 27 May) was never seen: it takes the effect of holidays that were.
    spring = out["start"].dt.tz_localize(None).dt.normalize() == pd.Timestamp("2024-05-27")
    assert out.loc[spring, "contacts"].sum() < 0.5 * out.loc[monday, "contacts"].sum()


def test_holiday_closed_in_history_is_closed_in_forecast():
    # Two years of history with Christmas 2022 missing (closed); Christmas 2023 is in the horizon.
    hist = synthetic_history(1, weeks=102, first_day="2022-01-03", seed=4)
    local_date = hist["start"].dt.tz_localize(None).dt.normalize()
    hist = hist[~local_date.isin(pd.to_datetime(["2022-12-26", "2022-12-27"]))]
    hist = hist[hist["start"] < pd.Timestamp("2023-12-18", tz=TZ)]
    out = forecast_queues(hist, pd.Timestamp("2023-12-18", tz=TZ), 14, 30, TZ, ("GB", "ENG"))
    dates = set(out["start"].dt.tz_localize(None).dt.normalize())
    # 2022-12-27 was "Christmas Day (observed)": the same holiday as 2023-12-25.
    assert pd.Timestamp("2023-12-25") not in dates and pd.Timestamp("2023-12-26") not in dates
    assert pd.Timestamp("2023-12-27") in dates


def test_prediction_interval_covers_about_80_percent():
    hist = synthetic_history(2, weeks=16, first_day="2024-01-08", seed=5)
    cut = pd.Timestamp("2024-04-08", tz=TZ)
    train, test = hist[hist["start"] < cut], hist[hist["start"] >= cut]
    out = forecast_queues(train, cut, 14, 30, TZ)
    merged = out.merge(test, on=["queue", "start"], suffixes=("", "_actual"))
    inside = merged["contacts_actual"].between(merged["contacts_lo"], merged["contacts_hi"])
    assert 0.65 <= inside.mean() <= 0.95


def test_aht_is_volume_weighted():
    hist = synthetic_history(1, weeks=4, first_day="2024-01-01", seed=6)
    busy = hist["contacts"] >= hist["contacts"].median()
    hist["aht_s"] = np.where(busy, 300.0, 100.0)
    out = forecast_queues(hist, pd.Timestamp("2024-01-29", tz=TZ), 7, 30, TZ)
    weighted = (hist["aht_s"] * hist["contacts"]).sum() / hist["contacts"].sum()
    plain = hist["aht_s"].mean()
    overall = (out["aht_s"] * out["contacts"]).sum() / out["contacts"].sum()
    assert abs(overall - weighted) < abs(overall - plain)


def test_start_before_history_end_is_an_input_error(history):
    with pytest.raises(InputError):
        forecast_queues(history, pd.Timestamp("2024-02-01", tz=TZ), 7, 30, TZ)
