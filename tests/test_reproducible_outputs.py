"""The README's promise: the same inputs and seed give byte-identical outputs on any run (timings.csv apart),
and when the wall-clock backstop cut a search, the summary and the report say so."""
from __future__ import annotations

import zipfile

from run_schedule import main
from scheduler.roster import solve


def _plan(site, out, capsys) -> str:
    assert main(["plan", "--site", str(site.site), "--out", str(out), "--time-limit", "3"]) == 0
    return capsys.readouterr().out


def test_two_runs_give_byte_identical_files_apart_from_timings(small_site, tmp_path, capsys):
    _plan(small_site, tmp_path / "a", capsys)
    _plan(small_site, tmp_path / "b", capsys)
    names = sorted(p.name for p in (tmp_path / "a").iterdir())
    assert "timings.csv" in names and "report.html" in names and "roster.xlsx" in names
    differ = [n for n in names if (tmp_path / "a" / n).read_bytes() != (tmp_path / "b" / n).read_bytes()]
    assert differ == ["timings.csv"]
    # The wall times are in timings.csv, not in the page; the workbook carries no save time.
    assert "stage" in (tmp_path / "a" / "timings.csv").read_text()
    report = (tmp_path / "a" / "report.html").read_text()
    assert "How long each stage took</h3>" not in report and "timings.csv" in report
    with zipfile.ZipFile(tmp_path / "a" / "roster.xlsx") as book:
        assert {info.date_time[:3] for info in book.infolist()} == {(2026, 3, 2)}
        assert b"2026-03-02T00:00:00Z" in book.read("docProps/core.xml")


def test_a_search_cut_by_the_wall_clock_says_so(small_site, tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(solve, "STAGE_SLACK", -1.0)      # the deadline passes before the search, as on a loaded box
    printed = _plan(small_site, tmp_path / "cut", capsys)
    assert "STOPPED BY THE WALL CLOCK" in printed
    assert "wall-clock backstop cut the search short" in (tmp_path / "cut" / "report.html").read_text()
    monkeypatch.undo()
    printed = _plan(small_site, tmp_path / "full", capsys)
    assert "WALL CLOCK" not in printed
    assert "backstop" not in (tmp_path / "full" / "report.html").read_text()
