"""Intraday: is today running above or below forecast, and what does that mean for the rest of the day?

The day-ahead forecast is wrong by a whole-day level most days (about ±6% on
the bank data) and by surges on some; by mid-morning the actuals already say
which. `detect` tells a supervisor, per queue, whether the current run of
intervals is a surge, a lull or noise — since when, how large, how sure —
and `reforecast` rescales the rest of today for re-planning (the surge
planner in scheduler/ calls both). Both are pure functions of the forecast
frame, the actuals and `now`; actuals at or after `now` are never read.
"""
from forecast.intraday.detect import DetectSettings, QueueSignal, detect
from forecast.intraday.reforecast import RatioEstimate, ReforecastSettings, estimate_ratios, reforecast

__all__ = ["detect", "QueueSignal", "DetectSettings", "reforecast", "ReforecastSettings", "estimate_ratios",
           "RatioEstimate"]
