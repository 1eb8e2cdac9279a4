"""Every bad input of the catalogue (tests/bad_input_catalogue.py): the exit code it documents, a message naming
the problem, no traceback, and no file written or changed anywhere (the command's folder or the plan it reads)."""
from __future__ import annotations

import pytest

from run_schedule import main
from tests.bad_input_catalogue import CASES, make_plan, snapshot

BY_NAME = {case[0]: case for case in CASES}


@pytest.fixture(scope="module")
def plan_folder(tmp_path_factory):
    return make_plan(tmp_path_factory.mktemp("plan"))


def test_the_catalogue_has_forty_distinct_cases():
    assert len(BY_NAME) == len(CASES) >= 40


@pytest.mark.parametrize("name", list(BY_NAME))
def test_bad_input(name, tmp_path, plan_folder, monkeypatch, capsys):
    _, _, build, expected_code, expected_text = BY_NAME[name]
    monkeypatch.chdir(tmp_path)
    argv = build(tmp_path, plan_folder)
    before, plan_before = snapshot(tmp_path), snapshot(plan_folder)
    code = main(argv)
    captured = capsys.readouterr()
    assert code == expected_code, captured.err[-2000:]
    assert expected_text in captured.err + captured.out, captured.err[-2000:]
    assert "Traceback" not in captured.err
    if expected_code == 2:
        assert "how to fix:" in captured.err
    assert snapshot(tmp_path) == before, "a file was written or changed"
    assert snapshot(plan_folder) == plan_before
