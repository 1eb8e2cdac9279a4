"""Scenarios on a Dask LocalCluster give the same comparison as local processes; oversubscribed workers are refused."""
from __future__ import annotations

import pandas as pd
import pytest

from run_schedule import main
from tests.site_factory import write_small_site

distributed = pytest.importorskip("distributed")


@pytest.fixture(scope="module")
def cluster():
    from distributed import LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                      dashboard_address=None, scheduler_port=0, silence_logs=40) as local_cluster:
        yield local_cluster


@pytest.mark.slow
def test_scenarios_on_a_localcluster_equal_the_local_run(tmp_path, cluster):
    files = write_small_site(tmp_path / "site")
    whatif = tmp_path / "whatif.yaml"
    whatif.write_text("scenarios:\n  - {name: chat +30%, volume: {chat: 30}}\n"
                      "  - {name: goal 90/15, service_goal: {voice: '90/15'}}\n")
    common = ["scenarios", "--site", str(files.site), "--scenarios", str(whatif), "--time-limit", "2",
              "--fresh-forecast"]
    assert main(common + ["--out", str(tmp_path / "local")]) == 0
    assert main(common + ["--out", str(tmp_path / "dask"), "--scheduler", cluster.scheduler_address]) == 0
    frames = [pd.read_csv(tmp_path / k / "scenarios.csv").drop(columns=["wall seconds", "plan seconds"])
              for k in ("local", "dask")]
    pd.testing.assert_frame_equal(*frames)
    for folder in ("base", "chat-30", "goal-90-15"):
        assert (tmp_path / "local" / folder / "roster.csv").read_bytes() == \
            (tmp_path / "dask" / folder / "roster.csv").read_bytes()


def test_more_solver_threads_than_a_workers_cores_is_refused(tmp_path, cluster, capsys):
    import os

    files = write_small_site(tmp_path / "site")
    whatif = tmp_path / "whatif.yaml"
    whatif.write_text("scenarios:\n  - {name: more, volume: {all: 10}}\n")
    threads = str((os.cpu_count() or 1) + 1)
    code = main(["scenarios", "--site", str(files.site), "--scenarios", str(whatif), "--out", str(tmp_path / "o"),
                 "--scheduler", cluster.scheduler_address, "--solver-threads", threads, "--fresh-forecast"])
    assert code == 2
    assert "more than the" in capsys.readouterr().err
    assert not (tmp_path / "o").exists()
