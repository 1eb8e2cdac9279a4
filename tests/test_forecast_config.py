"""The forecast's reading of the site YAML and of a special-days file."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from common.errors import InputError
from forecast.config import load_forecast_site, parse_special_days

ROOT = Path(__file__).resolve().parents[1]
SPECIAL = ROOT / "tests" / "fixtures" / "forecast_special_days.yaml"


def test_sample_site_and_special_days_file():
    site = load_forecast_site(ROOT / "data" / "sample_site" / "site.yaml", SPECIAL)
    assert site.timezone == "Europe/London" and site.holidays == ("GB", "ENG")
    assert site.history is not None and site.history.name == "history.csv"
    first, second = site.special_days
    assert first.date == dt.date(2026, 12, 1) and first.effect == 1.4 and first.applies_to("voice")
    assert not first.applies_to("chat") and second.effect == 0.0 and second.applies_to("chat")


@pytest.mark.parametrize("item,where", [
    ({"date": "2026-13-01", "name": "x", "effect": 1}, "[0].date"),
    ({"date": "2026-12-01", "name": "x", "effect": -1}, "[0].effect"),
    ({"date": "2026-12-01", "name": "x", "effect": "lots"}, "[0].effect"),
    ({"date": "2026-12-01", "name": "x", "effect": 1, "colour": "red"}, "[0].colour"),
])
def test_bad_special_days_name_the_entry(item, where):
    with pytest.raises(InputError) as info:
        parse_special_days([item], "site.yaml special_days")
    assert info.value.where.endswith(where)


def test_site_without_timezone(tmp_path):
    path = tmp_path / "site.yaml"
    path.write_text("site:\n  name: x\n")
    with pytest.raises(InputError, match="timezone"):
        load_forecast_site(path)
