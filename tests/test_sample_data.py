"""The bundled sample site: reproducible from its seed, and shaped the way the pipeline relies on.

The feasibility check here is a brute force written independently of the
generator's, straight from site.yaml, so a bug in one does not hide in both.
"""
from __future__ import annotations

import datetime as dt
import itertools
from pathlib import Path

import pandas as pd
import pytest
import yaml

from data.generate_sample import generate

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample_site"
FILES = ("history.csv", "agents.csv", "time_off.csv")
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
PLANNING_WEEK = [dt.date(2026, 11, 23) + dt.timedelta(days=i) for i in range(7)]
HOLIDAY = dt.date(2026, 8, 31)
MISSING = dt.date(2026, 10, 7)


def minutes(text: str) -> int:
    h, m = text.split(":")
    return int(h) * 60 + int(m)


@pytest.fixture(scope="module")
def site() -> dict:
    return yaml.safe_load((SAMPLE / "site.yaml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def history() -> pd.DataFrame:
    frame = pd.read_csv(SAMPLE / "history.csv")
    frame["local"] = pd.to_datetime(frame["start"], format="ISO8601", utc=True).dt.tz_convert("Europe/London")
    frame["date"] = frame["local"].dt.date
    frame["offset"] = frame["start"].str[-6:]
    return frame


@pytest.fixture(scope="module")
def agents() -> pd.DataFrame:
    return pd.read_csv(SAMPLE / "agents.csv", dtype=str, keep_default_na=False)


@pytest.fixture(scope="module")
def time_off() -> pd.DataFrame:
    return pd.read_csv(SAMPLE / "time_off.csv", dtype=str, keep_default_na=False)


def test_regenerating_gives_the_committed_bytes(tmp_path: Path) -> None:
    generate(tmp_path)
    for name in FILES:
        assert (tmp_path / name).read_bytes() == (SAMPLE / name).read_bytes(), (
            f"{name} differs from a fresh run: run `python -m data.generate_sample` and commit")


def test_history_columns_and_values(history: pd.DataFrame) -> None:
    assert list(pd.read_csv(SAMPLE / "history.csv", nrows=0).columns) == ["queue", "start", "contacts", "aht_s", "abandoned"]
    assert set(history["queue"]) == {"voice", "chat"}
    assert (history["contacts"] >= 0).all() and (history["abandoned"] >= 0).all()
    assert (history["aht_s"] > 0).all()
    assert (history["abandoned"] <= history["contacts"]).all()
    assert not history.duplicated(["queue", "start"]).any()


def test_history_only_while_open(history: pd.DataFrame, site: dict) -> None:
    hours = site["site"]["opening_hours"]
    weekday = history["local"].dt.day_of_week.map(lambda i: DAYS[i])
    assert "sun" not in set(weekday)
    minute = history["local"].dt.hour * 60 + history["local"].dt.minute
    opens = weekday.map(lambda d: minutes(hours[d][0]))
    closes = weekday.map(lambda d: minutes(hours[d][1]))
    assert ((minute >= opens) & (minute < closes)).all()
    assert (minute % site["site"]["interval_min"] == 0).all()


def test_history_spans_the_dst_change(history: pd.DataFrame) -> None:
    before = history[history["date"] <= dt.date(2026, 10, 24)]
    after = history[history["date"] >= dt.date(2026, 10, 26)]
    assert set(before["offset"]) == {"+01:00"}
    assert set(after["offset"]) == {"+00:00"}
    # Local opening time stays 08:00 across the change, so the UTC time moves.
    assert history["start"].str.contains("2026-10-23T08:00:00\\+01:00").any()
    assert history["start"].str.contains("2026-10-26T08:00:00\\+00:00").any()


def test_history_has_every_open_day_but_the_outage(history: pd.DataFrame) -> None:
    first, last = dt.date(2026, 8, 17), dt.date(2026, 11, 22)
    expected = {first + dt.timedelta(days=i) for i in range((last - first).days + 1)}
    expected = {d for d in expected if d.weekday() != 6} - {MISSING}
    for queue, rows in history.groupby("queue"):
        assert set(rows["date"]) == expected, queue


def test_holiday_dip_and_catch_up(history: pd.DataFrame) -> None:
    daily = history.groupby(["queue", "date"])["contacts"].sum()
    for queue in ("voice", "chat"):
        days = daily[queue]
        mondays = [v for d, v in days.items() if d.weekday() == 0 and d != HOLIDAY]
        tuesdays = [v for d, v in days.items() if d.weekday() == 1 and d != HOLIDAY + dt.timedelta(days=1)]
        assert days[HOLIDAY] < 0.5 * pd.Series(mondays).median()
        assert days[HOLIDAY + dt.timedelta(days=1)] > pd.Series(tuesdays).median()


def test_history_weekly_shape(history: pd.DataFrame) -> None:
    daily = history[history["date"] != HOLIDAY].groupby(["queue", "date"])["contacts"].sum().reset_index()
    daily["weekday"] = daily["date"].map(lambda d: DAYS[d.weekday()])
    means = daily.groupby(["queue", "weekday"])["contacts"].mean()
    voice = means["voice"]
    assert voice["mon"] > 1.1 * voice["wed"]
    assert voice["fri"] < voice["wed"]
    assert 0.35 < voice["sat"] / voice[["tue", "wed", "thu"]].mean() < 0.55
    assert 1500 < voice[["mon", "tue", "wed", "thu", "fri"]].mean() < 1900
    assert 350 < means["chat"][["mon", "tue", "wed", "thu", "fri"]].mean() < 500


def test_agents_mix(agents: pd.DataFrame, site: dict) -> None:
    assert list(agents.columns) == ["agent_id", "name", "contract", "skills", "available_from",
                                    "available_to", "unavailable_days"]
    assert list(agents["agent_id"]) == [f"A{i:03d}" for i in range(1, 91)]
    assert agents["contract"].value_counts().to_dict() == {"FT40": 54, "PT30": 21, "PT20": 15}
    assert agents["skills"].value_counts().to_dict() == {"voice": 58, "voice;chat": 18, "chat": 14}
    assert set(agents["contract"]) <= {c["id"] for c in site["contracts"]}
    assert agents["name"].str.match(r"^[A-Z][a-z]+ [A-Z][A-Za-z']+$").all()
    limited = agents[(agents[["available_from", "available_to", "unavailable_days"]] != "").any(axis=1)]
    assert 8 <= (limited["contract"] != "FT40").sum() <= 12


def reachable(site: dict, agent: pd.Series, days_off: set[str] = frozenset()) -> bool:
    """Brute force: some week of fitting shifts (or rest) meets the contract's hours within the rules."""
    contract = next(c for c in site["contracts"] if c["id"] == agent["contract"])
    templates = {t["id"]: t for t in site["shift_templates"] if t["id"] in contract["shift_templates"]}
    rules = {r["rule"]: r for r in site["rules"]}
    max_days = 7 - rules["min_days_off_per_week"]["days"]
    max_run = rules["max_consecutive_days"]["days"]
    caps = {r["shift"]: r["max"] for r in site["rules"] if r["rule"] == "max_shifts_of_type_per_week"}
    lo = minutes(agent["available_from"]) if agent["available_from"] else 0
    hi = minutes(agent["available_to"]) if agent["available_to"] else 24 * 60
    blocked = set(filter(None, agent["unavailable_days"].split(";"))) | set(days_off)

    def fits(day: str) -> list[str]:
        if day in blocked or day not in site["site"]["opening_hours"]:
            return []
        open_min, close_min = (minutes(x) for x in site["site"]["opening_hours"][day])
        out = []
        for tid, t in templates.items():
            starts = range(minutes(t["earliest_start"]), minutes(t["latest_start"]) + 1, t["start_step_min"])
            if any(s >= max(open_min, lo) and s + t["length_min"] <= min(close_min, hi) for s in starts):
                out.append(tid)
        return out

    for week in itertools.product(*[[None, *fits(d)] for d in DAYS]):
        worked = [t for t in week if t]
        run = longest = 0
        for t in week:
            run = run + 1 if t else 0
            longest = max(longest, run)
        hours = sum(templates[t]["length_min"] for t in worked) / 60
        if (len(worked) <= max_days and longest <= max_run
                and all(worked.count(t) <= cap for t, cap in caps.items())
                and contract["min_hours_week"] <= hours <= contract["max_hours_week"]):
            return True
    return False


def test_rest_rule_cannot_bind(site: dict) -> None:
    """The brute force ignores rest between shifts: safe only while close-to-open is long enough."""
    hours = site["site"]["opening_hours"].values()
    gap = 24 * 60 - max(minutes(h[1]) for h in hours) + min(minutes(h[0]) for h in hours)
    rest = next(r for r in site["rules"] if r["rule"] == "min_rest_between_shifts")["hours"]
    assert gap >= rest * 60


def test_every_agent_can_meet_their_contract(agents: pd.DataFrame, site: dict) -> None:
    stuck = [a["agent_id"] for _, a in agents.iterrows() if not reachable(site, a)]
    assert stuck == []


def test_full_timers_keep_five_days(agents: pd.DataFrame) -> None:
    full = agents[agents["contract"] == "FT40"]
    assert (full[["available_from", "available_to"]] == "").all().all()
    assert full["unavailable_days"].map(lambda s: len(list(filter(None, s.split(";"))))).max() <= 1


def test_time_off(time_off: pd.DataFrame, agents: pd.DataFrame, site: dict) -> None:
    assert list(time_off.columns) == ["agent_id", "date", "reason"]
    assert set(time_off["agent_id"]) <= set(agents["agent_id"])
    dates = time_off["date"].map(dt.date.fromisoformat)
    in_week = time_off[dates.isin(PLANNING_WEEK)]
    assert 6 <= len(in_week) <= 8
    assert len(time_off) - len(in_week) == 2
    assert not in_week["agent_id"].duplicated().any()
    by_id = agents.set_index("agent_id", drop=False)
    for _, row in in_week.iterrows():
        agent = by_id.loc[row["agent_id"]]
        day = DAYS[dt.date.fromisoformat(row["date"]).weekday()]
        if agent["contract"] == "FT40":
            assert day == "sat", row["agent_id"]
        assert reachable(site, agent, {day}), row["agent_id"]
