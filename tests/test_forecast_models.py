"""The models and the awkward shapes of real contact histories."""
from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from common.errors import InputError
from forecast.api import build_panels, forecast_queues, horizon_dates, make_calendar
from forecast.calendar import SpecialDay
from forecast.models.registry import DEFAULT_MODELS, make_model
from forecast.synthetic import synthetic_history

TZ = "Europe/London"
SUN_THU = np.array([1.2, 1.1, 1.0, 1.0, 0.0, 0.0, 1.3])        # Fri and Sat closed


def local_days(frame: pd.DataFrame) -> pd.Series:
    return frame["start"].dt.tz_localize(None).dt.normalize()


@pytest.fixture(scope="module")
def panel():
    hist = synthetic_history(1, weeks=10, first_day="2024-01-01", seed=11)
    return build_panels(hist, 30, TZ, make_calendar(None))["q0000"]


@pytest.mark.parametrize("name", DEFAULT_MODELS)
def test_every_model_has_the_same_interface(panel, name):
    dates = horizon_dates(pd.Timestamp("2024-03-11", tz=TZ), 14, TZ)
    pred = make_model(name).fit(panel).predict(dates)
    assert pred.mean.shape == (len(dates), panel.slots) == pred.sd.shape
    lo, hi = pred.interval(80)
    lo95, hi95 = pred.interval(95)
    assert np.all(lo <= pred.mean + 1e-9) and np.all(pred.mean <= hi + 1e-9)
    assert np.all(lo95 <= lo + 1e-9) and np.all(hi <= hi95 + 1e-9) and np.all(lo95 >= 0)
    closed = ~panel.open[((dates.astype(np.int64) + 3) % 7)]
    assert np.all(pred.mean[closed] == 0)
    # A normal week: each model lands within 15% of the last weeks' mean daily volume.
    recent = np.nansum(panel.y[-28:]) / 4
    assert pred.mean[:7].sum() == pytest.approx(recent, rel=0.15)


@pytest.mark.parametrize("minutes", [5, 6, 15, 30, 60])
def test_interval_lengths(minutes):
    hist = synthetic_history(1, weeks=5, interval_min=minutes, first_day="2024-01-01", seed=minutes)
    out = forecast_queues(hist, pd.Timestamp("2024-02-05", tz=TZ), 7, minutes, TZ, origins=1)
    per_day = out.groupby(local_days(out)).size()
    assert (per_day == 12 * 60 // minutes).all() and len(per_day) == 6
    assert (out["start"].dt.minute % minutes == 0).all()


def test_finer_history_adds_up_and_coarser_is_refused():
    fine = synthetic_history(1, weeks=4, interval_min=15, first_day="2024-01-01", seed=19)
    out = forecast_queues(fine, pd.Timestamp("2024-01-29", tz=TZ), 7, 30, TZ, model="seasonal_average")
    assert len(out) == 6 * 24 and (out["start"].dt.minute % 30 == 0).all()
    assert out["contacts"].sum() == pytest.approx(fine["contacts"].sum() / 4, rel=0.1)
    coarse = synthetic_history(1, weeks=4, interval_min=60, first_day="2024-01-01", seed=19)
    with pytest.raises(InputError, match="60-minute"):
        forecast_queues(coarse, pd.Timestamp("2024-01-29", tz=TZ), 7, 30, TZ)


def test_sunday_to_thursday_week():
    hist = synthetic_history(1, weeks=6, first_day="2024-01-07", weekday_factor=SUN_THU, seed=12)
    out = forecast_queues(hist, pd.Timestamp("2024-02-18", tz=TZ), 14, 30, TZ)
    weekdays = set(local_days(out).dt.day_name())
    assert weekdays == {"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday"}
    sunday = out[local_days(out).dt.day_name() == "Sunday"].groupby(local_days(out))["contacts"].sum()
    wednesday = out[local_days(out).dt.day_name() == "Wednesday"].groupby(local_days(out))["contacts"].sum()
    assert sunday.mean() > 1.15 * wednesday.mean()          # the weekly pattern survives the odd week


def test_short_friday():
    hist = synthetic_history(1, weeks=6, first_day="2024-01-01", seed=13)
    wall = hist["start"].dt.tz_localize(None)
    hist = hist[~((wall.dt.day_of_week == 4) & (wall.dt.hour >= 14))]
    out = forecast_queues(hist, pd.Timestamp("2024-02-12", tz=TZ), 7, 30, TZ)
    friday = out[local_days(out).dt.day_of_week == 4]
    assert len(friday) == 12 and friday["start"].dt.hour.max() == 13


def test_zeros_at_night_stay_near_zero():
    factor = np.array([1.2, 1.1, 1.0, 1.0, 0.9, 0.6, 0.5])
    hist = synthetic_history(1, weeks=6, first_day="2024-01-01", open_min=0, close_min=1440,
                             weekday_factor=factor, seed=14)
    wall = hist["start"].dt.tz_localize(None)
    hist.loc[(wall.dt.hour < 6).to_numpy(), "contacts"] = 0.0
    out = forecast_queues(hist, pd.Timestamp("2024-02-12", tz=TZ), 7, 30, TZ)
    night = out[out["start"].dt.tz_localize(None).dt.hour < 6]
    assert len(night) == 7 * 12                      # night intervals stay open: they had rows
    assert night["contacts"].max() < 0.5 and night["contacts_lo"].min() >= 0


def test_outlier_day_does_not_inflate_the_forecast():
    hist = synthetic_history(1, weeks=8, first_day="2024-01-01", seed=15)
    start = pd.Timestamp("2024-02-26", tz=TZ)
    clean = forecast_queues(hist, start, 7, 30, TZ, model="ets")
    spiked = hist.copy()
    on_day = (spiked["start"].dt.tz_localize(None).dt.normalize() == pd.Timestamp("2024-02-21")).to_numpy()
    spiked.loc[on_day, "contacts"] *= 6
    out = forecast_queues(spiked, start, 7, 30, TZ, model="ets")
    assert out["contacts"].sum() == pytest.approx(clean["contacts"].sum(), rel=0.05)


def test_all_zero_queue_forecasts_zero():
    hist = synthetic_history(1, weeks=4, first_day="2024-01-01", seed=16)
    hist["contacts"] = 0.0
    hist["aht_s"] = np.nan
    out = forecast_queues(hist, pd.Timestamp("2024-01-29", tz=TZ), 7, 30, TZ)
    assert len(out) == 6 * 24
    assert (out[["contacts", "contacts_lo", "contacts_hi"]].to_numpy() == 0).all()
    assert out["aht_s"].isna().all()
    from forecast.engine import ForecastSettings, forecast_panel

    panel = build_panels(hist, 30, TZ, make_calendar(None))["q0000"]
    start = pd.Timestamp("2024-01-29", tz=TZ)
    result = forecast_panel(panel, ForecastSettings(start, 7, TZ), horizon_dates(start, 7, TZ))
    assert not result.backtest.loses_to_naive and "all zeros" in "; ".join(result.notes)


def test_two_weeks_of_history():
    hist = synthetic_history(1, weeks=2, first_day="2024-01-01", seed=17)
    out = forecast_queues(hist, pd.Timestamp("2024-01-15", tz=TZ), 14, 30, TZ)
    assert len(out) == 12 * 24
    assert set(out["model"]) <= {"seasonal_naive", "seasonal_average", "weekday_average", "mstl"}
    daily = out.groupby(local_days(out))["contacts"].sum()
    actual = hist.groupby(hist["start"].dt.tz_localize(None).dt.normalize())["contacts"].sum()
    assert daily.mean() == pytest.approx(actual.mean(), rel=0.2)


def test_special_days_scale_or_close_a_day():
    hist = synthetic_history(1, weeks=6, first_day="2024-01-01", seed=18)
    special = (SpecialDay(dt.date(2024, 2, 13), "campaign", 1.5), SpecialDay(dt.date(2024, 2, 14), "outage", 0.0),
               SpecialDay(dt.date(2024, 2, 15), "other queue", 3.0, queues=("elsewhere",)))
    start = pd.Timestamp("2024-02-12", tz=TZ)
    plain = forecast_queues(hist, start, 14, 30, TZ, model="weekday_average")
    out = forecast_queues(hist, start, 14, 30, TZ, model="weekday_average", special_days=special)
    total = out.groupby(local_days(out))["contacts"].sum()
    base = plain.groupby(local_days(plain))["contacts"].sum()
    assert total[pd.Timestamp("2024-02-13")] == pytest.approx(1.5 * base[pd.Timestamp("2024-02-13")])
    assert pd.Timestamp("2024-02-14") not in total.index
    assert total[pd.Timestamp("2024-02-15")] == pytest.approx(base[pd.Timestamp("2024-02-15")])


def test_ensemble_is_the_mean_of_its_members(panel):
    dates = horizon_dates(pd.Timestamp("2024-03-11", tz=TZ), 7, TZ)
    members = [make_model(n).fit(panel).predict(dates) for n in ("ets", "calendar_regression", "weekday_average")]
    ens = make_model("ensemble").fit(panel).predict(dates)
    assert np.allclose(ens.mean, np.mean([m.mean for m in members], axis=0))


def test_calendar_regression_learns_the_catch_up_after_a_closed_holiday():
    import holidays as holidays_pkg

    hist = synthetic_history(1, weeks=70, first_day="2023-01-02", seed=20)
    local_date = hist["start"].dt.tz_localize(None).dt.normalize()
    bank = pd.to_datetime(list(holidays_pkg.country_holidays("GB", subdiv="ENG", years=[2023, 2024])))
    hist = hist[~local_date.isin(bank)]
    local_date = hist["start"].dt.tz_localize(None).dt.normalize()
    after = local_date.isin(bank + pd.Timedelta(days=1))
    hist.loc[after, "contacts"] = np.round(hist.loc[after, "contacts"] * 1.4)
    hist = hist[hist["start"] < pd.Timestamp("2024-05-06", tz=TZ)]
    out = forecast_queues(hist, pd.Timestamp("2024-05-06", tz=TZ), 14, 30, TZ, ("GB", "ENG"),
                          model="calendar_regression")
    daily = out.groupby(local_days(out))["contacts"].sum()
    assert pd.Timestamp("2024-05-06") not in daily.index                      # May Day: closed, as every year
    assert daily[pd.Timestamp("2024-05-07")] > 1.25 * daily[pd.Timestamp("2024-05-14")]
