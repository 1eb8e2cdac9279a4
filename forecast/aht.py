"""Handle-time forecast per weekday and interval, weighted by volume.

AHT is far steadier than volume, so a volume-weighted average of recent weeks
per (weekday, slot), shrunk towards the queue's overall AHT where few
contacts were seen, beats a time-series model on it.
"""
from __future__ import annotations

import numpy as np

from forecast.panel import Panel

AHT_WEEKS = 8
PRIOR_CONTACTS = 20.0      # contacts' worth of weight given to the queue's overall AHT


def aht_table(panel: Panel, weeks: int = AHT_WEEKS) -> np.ndarray:
    """(7, slots) expected AHT in seconds; NaN when the history has no AHT at all."""
    days = len(panel.dates)
    recent = np.arange(days) >= days - weeks * 7
    num = np.where(recent[:, None], panel.aht_num, 0.0)
    den = np.where(recent[:, None], panel.aht_den, 0.0)
    if den.sum() <= 0:
        num, den = panel.aht_num, panel.aht_den
    if den.sum() <= 0:
        return np.full((7, panel.slots), np.nan)
    overall = num.sum() / den.sum()
    table_num = np.zeros((7, panel.slots))
    table_den = np.zeros((7, panel.slots))
    np.add.at(table_num, panel.weekday, num)
    np.add.at(table_den, panel.weekday, den)
    # Same slot on other weekdays is the next best evidence for a thin weekday/slot.
    prior = PRIOR_CONTACTS
    slot_mean = (table_num.sum(axis=0) + prior * overall) / (table_den.sum(axis=0) + prior)
    return (table_num + prior * slot_mean[None, :]) / (table_den + prior)
