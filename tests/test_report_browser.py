"""The plan report and the scenario page as a person sees them (headless Chromium), and roster.xlsx cell by cell.

Chromium comes from Debian's `chromium` package, which `make test` installs when
it is missing; the browser tests skip (saying why) only when there is none.
"""
from __future__ import annotations

import datetime as dt

import openpyxl
import pandas as pd
import pytest

from run_schedule import main
from tests.browser import CHART_CHECK, Browser, chromium_path
from tests.site_factory import BREAKS_SITE_YAML, write_small_site

needs_chromium = pytest.mark.skipif(chromium_path() is None,
                                    reason="no Chromium: run `make browser` (apt-get install -y chromium)")


@pytest.fixture(scope="module")
def plan_out(tmp_path_factory):
    folder = tmp_path_factory.mktemp("report")
    files = write_small_site(folder / "site", site_yaml=BREAKS_SITE_YAML.replace(
        "  interval_min: 60\n", "  interval_min: 60\n  currency: EUR\n"))
    out = folder / "out"
    assert main(["plan", "--site", str(files.site), "--out", str(out), "--time-limit", "5", "--fresh-forecast"]) == 0
    return out


def _local(text: str) -> pd.Timestamp:
    return pd.Timestamp(text).tz_convert("Europe/London")


def test_xlsx_matches_roster_csv_cell_by_cell(plan_out):
    roster = pd.read_csv(plan_out / "roster.csv", dtype=str, keep_default_na=False)
    activities = pd.read_csv(plan_out / "activities.csv", dtype=str, keep_default_na=False)
    book = openpyxl.load_workbook(plan_out / "roster.xlsx")
    dates = sorted({dt.date.fromisoformat(d) for d in roster["date"]})
    week = book["Week"]
    header = [c.value for c in week[1]]
    week_rows = {row[0]: row for row in week.iter_rows(min_row=2, values_only=True)}
    assert week.freeze_panes == "D2" and week.auto_filter.ref.startswith("A1:")
    checked = 0
    for row in roster.itertuples(index=False):
        date = dt.date.fromisoformat(row.date)
        sheet = book[f"{date:%a %d %b}"]
        assert sheet.freeze_panes == "C2" and sheet.auto_filter.ref
        cells = {r[0]: r for r in sheet.iter_rows(min_row=2, values_only=True)}
        line = cells[row.agent_id]
        assert line[1] == row.name and line[2] == row.contract and line[4] == row.shift
        assert line[5] == _local(row.start).time() and line[6] == _local(row.end).time()
        assert line[7] == pytest.approx(float(row.paid_hours))
        mine = activities[(activities["agent_id"] == row.agent_id) & (activities["date"] == row.date)]
        for k, activity in enumerate(mine.itertuples(index=False)):
            assert line[8 + 3 * k] == activity.activity
            assert line[9 + 3 * k] == _local(activity.start).time() and line[10 + 3 * k] == _local(activity.end).time()
        assert sheet.cell(row=2, column=6).number_format == "hh:mm"
        column = header.index(f"{date:%a %d} shift")
        assert week_rows[row.agent_id][column] == row.shift
        assert week_rows[row.agent_id][column + 1] == pytest.approx(float(row.paid_hours))
        checked += 1
    assert checked == len(roster) > 0
    worked = set(zip(roster["agent_id"], roster["date"]))
    for agent_id, line in week_rows.items():   # days not in roster.csv are off in the workbook too
        for date in dates:
            if (agent_id, date.isoformat()) not in worked:
                assert line[header.index(f"{date:%a %d} hours")] == 0
    requirements = pd.read_csv(plan_out / "requirements.csv")
    sheet = book["Requirements"]
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert len(rows) == len(requirements)
    first = requirements.iloc[0]
    assert rows[0][1] == _local(first["start"]).tz_localize(None).to_pydatetime()
    assert rows[0][0] == first["queue"] and rows[0][6] == pytest.approx(first["agents_scheduled"])
    hours = {r[0]: r for r in book["Agent hours"].iter_rows(min_row=2, values_only=True)}
    per_agent = roster.assign(h=roster["paid_hours"].astype(float)).groupby("agent_id")["h"].sum()
    for agent_id, total in per_agent.items():
        assert hours[agent_id][5] == pytest.approx(total)


@needs_chromium
def test_plan_report_renders_in_chromium(plan_out, tmp_path):
    roster = pd.read_csv(plan_out / "roster.csv")
    requirements = pd.read_csv(plan_out / "requirements.csv")
    with Browser(1024, 800) as browser:
        load_ms = browser.open(plan_out / "report.html")
        assert browser.console_errors() == []
        info = browser.evaluate(CHART_CHECK)
        assert info["charts"] >= 10 and info["empty"] == 0
        assert sorted(info["gantt_agents"]) == sorted(roster["agent_id"].unique())
        assert info["gantt_rows"] == roster["agent_id"].nunique()
        assert info["heat_cells"] == len(requirements)
        assert info["width"] <= info["viewport"], "the page scrolls sideways at 1024 px"
        text = browser.evaluate("document.body.innerText")
        assert "EUR" in text and "Penalty points" in text and ("proved optimal" in text or "best bound" in text)
        assert "training" in text and "Forecast against history" in text
        # Big tables start collapsed and sort by a click on their header.
        assert browser.evaluate("document.querySelector('#agents-table').closest('details').open") is False
        paid = browser.evaluate("""(() => {
            const table = document.querySelector('#agents-table');
            const col = Array.from(table.tHead.rows[0].cells).findIndex(c => c.textContent === 'paid hours');
            table.tHead.rows[0].cells[col].click();
            return Array.from(table.tBodies[0].rows).map(r => parseFloat(r.cells[col].textContent));
        })()""")
        assert paid == sorted(paid)
        shot = browser.screenshot(tmp_path / "report.png", full_page=True)
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 20_000
    assert load_ms < 5000


@needs_chromium
def test_scenario_page_renders_in_chromium(tmp_path):
    files = write_small_site(tmp_path / "site")
    whatif = tmp_path / "whatif.yaml"
    whatif.write_text("scenarios:\n  - {name: voice +20%, volume: {voice: 20}}\n"
                      "  - {name: one more PT, agents: {PT: 1}}\n")
    out = tmp_path / "scenarios"
    assert main(["scenarios", "--site", str(files.site), "--scenarios", str(whatif), "--out", str(out),
                 "--time-limit", "2", "--fresh-forecast"]) == 0
    with Browser(1024, 800) as browser:
        browser.open(out / "scenarios.html")
        assert browser.console_errors() == []
        info = browser.evaluate(CHART_CHECK)
        assert info["charts"] == 1 and info["empty"] == 0
        assert browser.evaluate("document.querySelectorAll('svg.chart rect').length") >= 3   # a bar per run
        links = browser.evaluate("Array.from(document.querySelectorAll('#comparison thead a'))"
                                 ".map(a => a.getAttribute('href'))")
        assert links == ["base/report.html", "voice-20/report.html", "one-more-pt/report.html"]
        headers = browser.evaluate("Array.from(document.querySelectorAll('#comparison thead th'))"
                                   ".map(th => th.textContent)")
        assert [h.replace("plan report", "") for h in headers[1:]] == ["base", "voice +20%", "one more PT"]
        browser.screenshot(tmp_path / "scenarios.png", full_page=True)
        for link in links:   # every scenario's own report opens cleanly too
            browser.open(out / link)
            assert browser.console_errors() == []
            assert browser.evaluate(CHART_CHECK)["empty"] == 0
    assert (tmp_path / "scenarios.png").stat().st_size > 10_000
