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
from rules.loader import load_site

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample_site"
FILES = ("history.csv", "agents.csv", "time_off.csv", "fairness_ledger.csv", "preferences.csv")
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
PLANNING_WEEK = [dt.date(2026, 11, 23) + dt.timedelta(days=i) for i in range(7)]
HOLIDAY = dt.date(2026, 8, 31)
MISSING = dt.date(2026, 10, 7)


def minutes(text: str) -> int:
    h, m = text.split(":")
    return int(h) * 60 + int(m)


def queue_hours(site: dict, queue_id: str) -> dict[str, list[str]]:
    """A queue's opening hours: its own override, else the site's."""
    queue = next(q for q in site["queues"] if q["id"] == queue_id)
    return queue.get("opening_hours") or site["site"]["opening_hours"]


def agent_hours(site: dict, skills: str) -> dict[str, tuple[int, int]]:
    """Per weekday, the span from the first of the agent's queues to open to the last to close."""
    spans: dict[str, list[tuple[int, int]]] = {}
    for queue_id in skills.split(";"):
        for day, (open_at, close_at) in queue_hours(site, queue_id).items():
            spans.setdefault(day, []).append((minutes(open_at), minutes(close_at)))
    return {day: (min(o for o, _ in v), max(c for _, c in v)) for day, v in spans.items()}


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


def test_the_loader_accepts_the_site_and_each_queue_gets_its_model(site: dict) -> None:
    loaded = load_site(SAMPLE / "site.yaml")
    queues = {q.id: q for q in loaded.queues}
    assert [q.id for q in loaded.queues] == [q["id"] for q in site["queues"]] == ["voice", "chat", "email"]
    voice, chat, email = queues["voice"], queues["chat"], queues["email"]
    assert voice.service_goal.model == "erlang_a"
    assert (voice.service_goal.service_level, voice.service_goal.target_s) == (0.8, 20)
    assert (voice.service_goal.max_occupancy, voice.service_goal.max_abandon) == (0.85, 0.05)
    assert chat.service_goal.concurrency == 2
    assert (email.channel, email.name, email.shrinkage) == ("email", "Email - account queries", 0.15)
    assert email.service_goal.model == "backlog"
    assert (email.service_goal.deadline_s, email.service_goal.deadline_share) == (14400, 0.9)
    hours = loaded.queue_hours(email)
    assert sorted(hours, key=DAYS.index) == ["mon", "tue", "wed", "thu", "fri"]
    assert {(h.open_min, h.close_min) for h in hours.values()} == {(8 * 60, 18 * 60)}
    assert voice.opening_hours is None and chat.opening_hours is None     # the site's hours


def test_patience_is_consistent_with_the_history(history: pd.DataFrame, site: dict) -> None:
    """Abandon rate = mean wait / mean patience: the patience must imply a believable mean wait."""
    voice = history[history["queue"] == "voice"]
    rate = voice["abandoned"].sum() / voice["contacts"].sum()
    patience = next(q for q in site["queues"] if q["id"] == "voice")["service_goal"]["patience_s"]
    assert 0.03 < rate < 0.07
    assert 5.0 < rate * patience < 10.0      # seconds waited on average by every offered call


def test_history_columns_and_values(history: pd.DataFrame) -> None:
    assert list(pd.read_csv(SAMPLE / "history.csv", nrows=0).columns) == ["queue", "start", "contacts", "aht_s", "abandoned"]
    assert list(pd.unique(history["queue"])) == ["voice", "chat", "email"]      # site.yaml order
    assert (history["contacts"] >= 0).all() and (history["abandoned"] >= 0).all()
    assert (history["aht_s"] > 0).all()
    assert (history["abandoned"] <= history["contacts"]).all()
    assert not history.duplicated(["queue", "start"]).any()


@pytest.mark.parametrize("queue", ["voice", "chat", "email"])
def test_history_only_while_the_queue_is_open(history: pd.DataFrame, site: dict, queue: str) -> None:
    hours = queue_hours(site, queue)
    rows = history[history["queue"] == queue]
    weekday = rows["local"].dt.day_of_week.map(lambda i: DAYS[i])
    assert set(weekday) == set(hours)
    minute = rows["local"].dt.hour * 60 + rows["local"].dt.minute
    opens = weekday.map(lambda d: minutes(hours[d][0]))
    closes = weekday.map(lambda d: minutes(hours[d][1]))
    assert ((minute >= opens) & (minute < closes)).all()
    assert (minute % site["site"]["interval_min"] == 0).all()


def test_email_is_closed_at_weekends_and_worked_weekdays_8_to_18(history: pd.DataFrame) -> None:
    email = history[history["queue"] == "email"]
    assert set(email["local"].dt.day_of_week) == {0, 1, 2, 3, 4}
    assert set(email["local"].dt.strftime("%H:%M")) == {f"{h:02d}:{m:02d}" for h in range(8, 18) for m in (0, 30)}


def test_history_spans_the_dst_change(history: pd.DataFrame) -> None:
    before = history[history["date"] <= dt.date(2026, 10, 24)]
    after = history[history["date"] >= dt.date(2026, 10, 26)]
    assert set(before["offset"]) == {"+01:00"}
    assert set(after["offset"]) == {"+00:00"}
    # Local opening time stays 08:00 across the change, so the UTC time moves.
    assert history["start"].str.contains("2026-10-23T08:00:00\\+01:00").any()
    assert history["start"].str.contains("2026-10-26T08:00:00\\+00:00").any()


def test_history_has_every_open_day_but_the_outage(history: pd.DataFrame, site: dict) -> None:
    first, last = dt.date(2026, 8, 17), dt.date(2026, 11, 22)
    every = {first + dt.timedelta(days=i) for i in range((last - first).days + 1)}
    for queue, rows in history.groupby("queue"):
        hours = queue_hours(site, queue)
        expected = {d for d in every if DAYS[d.weekday()] in hours} - {MISSING}
        assert set(rows["date"]) == expected, queue
        slots = {day: (minutes(close) - minutes(open_)) // site["site"]["interval_min"]
                 for day, (open_, close) in hours.items()}
        per_day = rows.groupby("date").size()
        assert all(n == slots[DAYS[d.weekday()]] for d, n in per_day.items()), queue


def test_holiday_dip_and_catch_up(history: pd.DataFrame) -> None:
    daily = history.groupby(["queue", "date"])["contacts"].sum()
    for queue in ("voice", "chat"):
        days = daily[queue]
        mondays = [v for d, v in days.items() if d.weekday() == 0 and d != HOLIDAY]
        tuesdays = [v for d, v in days.items() if d.weekday() == 1 and d != HOLIDAY + dt.timedelta(days=1)]
        assert days[HOLIDAY] < 0.5 * pd.Series(mondays).median()
        assert days[HOLIDAY + dt.timedelta(days=1)] > pd.Series(tuesdays).median()
    # Email: the holiday's 08:00 delivers the (ordinary) weekend's mail; the rest of the day is quiet.
    email = history[history["queue"] == "email"]
    later = email[email["local"].dt.strftime("%H:%M") != "08:00"].groupby("date")["contacts"].sum()
    mondays = [v for d, v in later.items() if d.weekday() == 0 and d != HOLIDAY]
    assert later[HOLIDAY] < 0.5 * pd.Series(mondays).median()


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
    email = means["email"]
    assert 320 < email[["mon", "tue", "wed", "thu", "fri"]].mean() < 390
    assert email["mon"] > 1.3 * email[["tue", "wed", "thu", "fri"]].max()      # Monday carries the weekend's mail


def test_email_shape(history: pd.DataFrame) -> None:
    """Mail sent while the mailbox is closed arrives with the first open interval; nobody abandons an email."""
    email = history[history["queue"] == "email"].copy()
    assert (email["abandoned"] == 0).all()
    assert 400 < (email["contacts"] * email["aht_s"]).sum() / email["contacts"].sum() < 440
    email["clock"] = email["local"].dt.strftime("%H:%M")
    email["weekday"] = email["local"].dt.day_of_week
    first = email[email["clock"] == "08:00"].groupby("weekday")["contacts"].median()
    rest = email[email["clock"] != "08:00"]
    typical = rest["contacts"].median()
    assert 5 < typical < 20                                     # ~10 an interval through the day
    assert (first.loc[[1, 2, 3, 4]] > 5 * typical).all()        # the evening and night before
    assert first.loc[0] > 2 * first.loc[[1, 2, 3, 4]].max()     # Friday evening and the weekend
    # The day's own arrivals are spread over the day, not one peak, with the morning busier than the evening.
    by_clock = rest.groupby("clock")["contacts"].mean()
    assert by_clock.max() < 2 * by_clock.min()
    assert by_clock["10:00"] > by_clock["17:30"]


def test_workload_fits_inside_the_contracts(history: pd.DataFrame, site: dict, agents: pd.DataFrame) -> None:
    """A week's raw workload (before queueing margins) uses well under the hours the contracts guarantee.

    Meeting the service goals adds about a third on top, so this keeps the
    planned week tight but below the paid hours.
    """
    weeks = history["date"].map(lambda d: d.isocalendar()[:2]).nunique()   # 14 (one day lost to the outage)
    contracts = {c["id"]: c for c in site["contracts"]}
    minimum_paid = sum(contracts[c]["min_hours_week"] for c in agents["contract"])
    assert minimum_paid == 2964
    workload = 0.0
    for queue in site["queues"]:
        rows = history[history["queue"] == queue["id"]]
        concurrency = queue["service_goal"].get("concurrency", 1)
        workload += (rows["contacts"] * rows["aht_s"]).sum() / 3600 / concurrency / (1 - queue["shrinkage"])
    assert 0.5 < workload / weeks / minimum_paid < 0.7, workload / weeks


def test_agents_mix(agents: pd.DataFrame, site: dict) -> None:
    assert list(agents.columns) == ["agent_id", "name", "contract", "skills", "available_from",
                                    "available_to", "unavailable_days"]
    assert list(agents["agent_id"]) == [f"A{i:03d}" for i in range(1, 91)]
    assert agents["contract"].value_counts().to_dict() == {"FT40": 54, "PT30": 21, "PT20": 15}
    assert agents["skills"].value_counts().to_dict() == {"voice": 46, "voice;chat": 16, "chat": 14,
                                                          "voice;email": 10, "email": 4}
    assert set(";".join(agents["skills"]).split(";")) == {q["id"] for q in site["queues"]}
    assert set(agents["contract"]) <= {c["id"] for c in site["contracts"]}
    assert agents["name"].str.match(r"^[A-Z][a-z]+ [A-Z][A-Za-z']+$").all()
    limited = agents[(agents[["available_from", "available_to", "unavailable_days"]] != "").any(axis=1)]
    assert 8 <= (limited["contract"] != "FT40").sum() <= 12


def reachable(site: dict, agent: pd.Series, days_off: set[str] = frozenset()) -> bool:
    """Brute force: some week of fitting shifts (or rest) meets the contract's hours within the rules.

    Shifts must fit while one of the agent's queues is open (stricter than the
    site's hours, which is all the roster needs): an email-only agent's week
    has to fit Mon-Fri 08:00-18:00, or their time would cover nothing.
    """
    contract = next(c for c in site["contracts"] if c["id"] == agent["contract"])
    templates = {t["id"]: t for t in site["shift_templates"] if t["id"] in contract["shift_templates"]}
    rules = {r["rule"]: r for r in site["rules"]}
    max_days = 7 - rules["min_days_off_per_week"]["days"]
    max_run = rules["max_consecutive_days"]["days"]
    caps = {r["shift"]: r["max"] for r in site["rules"] if r["rule"] == "max_shifts_of_type_per_week"}
    lo = minutes(agent["available_from"]) if agent["available_from"] else 0
    hi = minutes(agent["available_to"]) if agent["available_to"] else 24 * 60
    blocked = set(filter(None, agent["unavailable_days"].split(";"))) | set(days_off)
    hours = agent_hours(site, agent["skills"])

    def fits(day: str) -> list[str]:
        if day in blocked or day not in hours:
            return []
        open_min, close_min = hours[day]
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
