"""The data-quality gate and the readers: validate refuses what plan refuses, warnings reach the terminal and the
report, a site can make warnings errors; output paths are checked before any work; real-world CSV files."""
from __future__ import annotations

import os

import pandas as pd
import pytest

from common.errors import InputError
from common.io import check_output_file, check_output_folder, read_csv
from forecast.synthetic import synthetic_history, write_history_csv
from run_schedule import main
from tests.bad_input_catalogue import CASES, HISTORY, LINES, _cells, _history, make_plan, snapshot
from tests.site_factory import SMALL_AGENTS_CSV, write_small_site

SWAPPABLE = [c for c in CASES if c[1] in ("history", "reference", "week", "reader") and c[3] == 2]


@pytest.fixture(scope="module")
def plan_folder(tmp_path_factory):
    return make_plan(tmp_path_factory.mktemp("plan"))


@pytest.mark.parametrize("name", [c[0] for c in SWAPPABLE])
def test_validate_and_plan_refuse_the_same_inputs(name, tmp_path, plan_folder, monkeypatch, capsys):
    """Each refused input, run through the other of plan and validate, is refused with the same message."""
    case = next(c for c in SWAPPABLE if c[0] == name)
    monkeypatch.chdir(tmp_path)
    argv = case[2](tmp_path, plan_folder)
    if argv[0] == "plan":
        other = ["validate"] + [a for i, a in enumerate(argv[1:], 1)
                                if a not in ("--out", "--time-limit") and argv[i - 1] not in ("--out", "--time-limit")]
    else:
        other = ["plan", *argv[1:], "--out", str(tmp_path / "out"), "--time-limit", "3"]
    assert main(argv) == 2
    first = capsys.readouterr().err
    assert main(other) == 2
    second = capsys.readouterr().err
    assert case[4] in first and case[4] in second
    assert not (tmp_path / "out").exists()


def _outlier_history() -> str:
    lines = list(LINES)
    lines[5] = _cells(lines[5], contacts="9000")
    return _history(lines)


def test_warnings_reach_the_terminal_and_the_report_and_the_plan_goes_on(tmp_path, capsys):
    files = write_small_site(tmp_path / "site", history_csv=_outlier_history())
    code = main(["plan", "--site", str(files.site), "--out", str(tmp_path / "out"), "--time-limit", "3"])
    captured = capsys.readouterr()
    assert code == 0
    assert "data quality: 1 warning(s)" in captured.err and "[history-outlier]" in captured.err
    assert "history.csv row 6" in captured.err and "9000 contacts" in captured.err
    report = (tmp_path / "out" / "report.html").read_text()
    assert 'id="quality">Data quality' in report and "history-outlier" in report and "9000 contacts" in report
    assert main(["validate", "--site", str(files.site)]) == 0
    assert "1 data-quality warning(s)" in capsys.readouterr().out


def test_a_clean_plan_says_no_findings_in_its_report(plan_folder):
    assert "No data-quality findings" in (plan_folder / "report.html").read_text()


def test_a_site_makes_a_warning_an_error(tmp_path, capsys):
    from tests.site_factory import SMALL_SITE_YAML

    files = write_small_site(tmp_path / "site", history_csv=_outlier_history(),
                             site_yaml=SMALL_SITE_YAML + "data_quality:\n  errors: [history-outlier]\n")
    assert main(["validate", "--site", str(files.site)]) == 2
    assert "[history-outlier]" in capsys.readouterr().err


def test_output_checks_create_nothing_and_refuse_what_cannot_be_written(tmp_path):
    check_output_folder(tmp_path / "new" / "deeper")           # missing folders are fine ...
    assert list(tmp_path.iterdir()) == []                       # ... and nothing is created by the check
    (tmp_path / "f").write_text("x")
    with pytest.raises(InputError, match="is a file, not a folder"):
        check_output_folder(tmp_path / "f")
    with pytest.raises(InputError, match="is a file, not a folder"):
        check_output_folder(tmp_path / "f" / "out")
    with pytest.raises(InputError, match="cannot be written"):
        check_output_folder("/proc/wfm-check")
    with pytest.raises(InputError, match="is a folder, not a file"):
        check_output_file(tmp_path)
    with pytest.raises(InputError, match="cannot be written"):
        check_output_file("/proc/wfm-check/forecast.csv")
    check_output_file(tmp_path / "new" / "forecast.csv")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["f"]


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_a_read_only_folder_is_refused(tmp_path):
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        with pytest.raises(InputError, match="cannot be written"):
            check_output_folder(folder / "out")
    finally:
        folder.chmod(0o755)


def test_semicolon_csv_with_decimal_commas_reads_as_the_comma_file(tmp_path):
    comma = tmp_path / "comma.csv"
    comma.write_text(HISTORY)
    semi = tmp_path / "semi.csv"
    semi.write_text("\ufeff" + "".join(line.replace(",", ";").replace(".", ",") + "\n" for line in HISTORY.splitlines()))
    a = read_csv(comma, "history", ["queue", "start", "contacts"])
    b = read_csv(semi, "history", ["queue", "start", "contacts"])
    pd.testing.assert_frame_equal(a, b)


def test_semicolon_agents_file_takes_skills_written_with_commas(tmp_path, capsys):
    agents = SMALL_AGENTS_CSV.replace("voice;chat", "voice+chat").replace(",", ";").replace("voice+chat", "voice,chat")
    assert "T03;Cy Dee;FT;voice,chat;;;" in agents
    files = write_small_site(tmp_path / "site", agents_csv=agents)
    assert main(["validate", "--site", str(files.site)]) == 0, capsys.readouterr().err
    assert "8 agents" in capsys.readouterr().out


def test_a_non_utf8_file_names_the_row_and_the_encoding(tmp_path):
    path = tmp_path / "h.csv"
    lines = HISTORY.splitlines()
    lines[7] = lines[7].replace("voice", "voix-é")
    path.write_bytes(("\n".join(lines) + "\n").encode("cp1252"))
    with pytest.raises(InputError) as error:
        read_csv(path, "history", ["queue"])
    assert error.value.where.endswith("h.csv row 8")
    assert "Windows-1252" in error.value.problem and "iconv -f cp1252" in error.value.fix


def test_the_forecast_batch_warns_on_a_history_without_aht_and_notes_it(tmp_path):
    from forecast.batch import BatchSettings, run_batch

    path = tmp_path / "h.csv"
    write_history_csv(synthetic_history(["a"], weeks=4, seed=3, with_aht=False), path)
    report = run_batch(path, BatchSettings(timezone="Europe/London", horizon_days=7, origins=1), None, workers=1)
    assert not report.failed
    assert any(note.startswith("history-aht-missing") for note in report.outcomes[0].notes)


def test_a_sparse_generated_cover_only_warns_a_cut_file_refuses(tmp_path):
    from scheduler.curtois.importer import check_complete
    from scheduler.curtois.instance import read_instance
    from tests.test_curtois import TINY

    sparse = tmp_path / "Sparse.txt"
    sparse.write_text(TINY.replace("6,E,0,100,1\n6,L,1,100,1\n", ""))
    warnings = check_complete(read_instance(sparse))
    assert len(warnings) == 1 and "stop at day 5 of a 7-day horizon" in warnings[0]
    assert check_complete(read_instance(_write(tmp_path / "Whole.txt", TINY))) == []
    cut = _write(tmp_path / "Cut.txt", TINY.split("SECTION_COVER")[0])
    with pytest.raises(InputError, match="SECTION_COVER is missing"):
        check_complete(read_instance(cut))


def _write(path, text):
    path.write_text(text)
    return path


def test_nothing_is_written_when_the_gate_refuses_a_plan(tmp_path, capsys):
    files = write_small_site(tmp_path / "site", history_csv=HISTORY + "voice,2030-03-04T10:00:00+00:00,20,300\n")
    out = tmp_path / "out"
    out.mkdir()
    (out / "roster.csv").write_text("last week\n")
    before = snapshot(tmp_path)
    assert main(["plan", "--site", str(files.site), "--out", str(out)]) == 2
    assert snapshot(tmp_path) == before
