"""Rolling-origin backtest, metrics, model choice and interval calibration."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from forecast import metrics
from forecast.api import build_panels, make_calendar
from forecast.backtest import run_backtest
from forecast.models.registry import DEFAULT_MODELS
from forecast.synthetic import synthetic_history

TZ = "Europe/London"


def test_metrics_on_known_numbers():
    f, a = np.array([10.0, 20.0, 30.0]), np.array([12.0, 18.0, 30.0])
    assert metrics.wape(f, a) == pytest.approx(4 / 60)
    assert metrics.bias(f, a) == pytest.approx(0.0)
    assert metrics.mase(f, a, scale=2.0) == pytest.approx((4 / 3) / 2)
    assert metrics.coverage(a, f - 1, f + 1) == pytest.approx(1 / 3)
    y = np.vstack([np.full((7, 2), 10.0), np.full((7, 2), 12.0)])
    assert metrics.naive_scale(y) == pytest.approx(2.0)
    assert np.isnan(metrics.wape(f, np.zeros(3)))


@pytest.fixture(scope="module")
def result():
    hist = synthetic_history(1, weeks=10, first_day="2024-01-01", seed=21)
    panel = build_panels(hist, 30, TZ, make_calendar(None))["q0000"]
    return run_backtest(panel, DEFAULT_MODELS, 14, origins=3)


def test_backtest_reports_every_model_per_horizon_day(result):
    table = result.metrics
    assert set(table["model"]) == set(DEFAULT_MODELS)
    # Days 1..14 after each origin, less the closed Sundays; 0 is all days together.
    assert set(table["horizon_day"]) == {0, 2, 3, 4, 5, 6, 7, 9, 10, 11, 12, 13, 14}
    overall = table[table["horizon_day"] == 0].set_index("model")
    assert (overall["n_origins"] == 3).all()
    for column in ("wape", "mase", "bias", "coverage80", "coverage95"):
        assert overall[column].notna().all()
    assert overall["chosen"].sum() == 1 and overall.index[overall["chosen"]][0] == result.chosen
    assert len(result.origins) == 3


def test_chosen_model_beats_naive_and_intervals_are_calibrated(result):
    overall = result.metrics[result.metrics["horizon_day"] == 0].set_index("model")
    assert overall.loc[result.chosen, "wape"] < overall.loc["seasonal_naive", "wape"]
    assert not result.loses_to_naive
    # Leave-one-origin-out calibrated coverage should land near the nominal level.
    assert 0.7 <= overall.loc[result.chosen, "coverage80"] <= 0.9
    assert 0.88 <= overall.loc[result.chosen, "coverage95"] <= 0.99


def test_a_queue_where_last_week_repeats_exactly_flags_the_models():
    hist = synthetic_history(1, weeks=8, first_day="2024-01-01", seed=22)
    wall = hist["start"].dt.tz_localize(None)
    # Same week repeated with no noise and a step change: last week is the perfect forecast.
    first_week = hist[wall < pd.Timestamp("2024-01-08")]
    pattern = dict(zip(zip(wall.dt.day_of_week, wall.dt.time), first_week["contacts"]))
    hist["contacts"] = [pattern.get((d, t), 0.0) * (3.0 if s >= pd.Timestamp("2024-02-12") else 1.0)
                        for d, t, s in zip(wall.dt.day_of_week, wall.dt.time, wall)]
    panel = build_panels(hist, 30, TZ, make_calendar(None))["q0000"]
    result = run_backtest(panel, DEFAULT_MODELS, 7, origins=1)
    overall = result.metrics[result.metrics["horizon_day"] == 0].set_index("model")
    assert result.chosen == "seasonal_naive" and result.loses_to_naive
    assert overall.loc["ets", "loses_to_naive"]


def test_too_short_history_is_not_backtested():
    hist = synthetic_history(1, weeks=1, first_day="2024-01-01", seed=23)
    panel = build_panels(hist, 30, TZ, make_calendar(None))["q0000"]
    result = run_backtest(panel, DEFAULT_MODELS, 14, origins=3)
    assert result.metrics.empty and result.chosen == "seasonal_average" and "too short" in result.note
