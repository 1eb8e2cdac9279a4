"""The batch on a real Dask cluster (scheduler and worker as separate processes on loopback)
gives the same forecasts as the local run."""
from __future__ import annotations

import os
import socket

import numpy as np
import pandas as pd
import pytest

from forecast.batch import BatchSettings, run_batch
from forecast.synthetic import synthetic_history, write_history_csv

distributed = pytest.importorskip("distributed")

TZ = "Europe/London"


@pytest.fixture(scope="module")
def cluster():
    from distributed import LocalCluster

    with LocalCluster(n_workers=1, threads_per_worker=1, processes=True, host="127.0.0.1",
                      dashboard_address=None, scheduler_port=0, silence_logs=40) as local_cluster:
        yield local_cluster


def test_localcluster_results_equal_local_run(tmp_path, cluster):
    hist = synthetic_history(["a", "b", "c"], weeks=5, first_day="2024-01-01", seed=41)
    path = tmp_path / "history.csv"
    write_history_csv(hist, path)
    lines = path.read_text().splitlines()
    lines[3] = lines[3].replace(",2024-", ",20x4-", 1)      # queue a gets an unreadable start
    path.write_text("\n".join(lines) + "\n")
    settings = BatchSettings(timezone=TZ, horizon_days=7, origins=2)
    assert cluster.scheduler_address.startswith("tcp://127.0.0.1:")

    local = run_batch(path, settings, tmp_path / "local.sqlite", workers=1)
    remote = run_batch(path, settings, tmp_path / "dask.sqlite", scheduler=cluster.scheduler_address)

    assert [o.queue for o in remote.failed] == [o.queue for o in local.failed] == ["a"]
    assert remote.status == local.status == "partial"
    a, b = local.forecast(), remote.forecast()
    assert len(a) == len(b) == 2 * 6 * 24
    pd.testing.assert_frame_equal(a[["queue", "start", "model"]], b[["queue", "start", "model"]])
    for column in ("contacts", "contacts_lo", "contacts_hi", "aht_s"):
        assert np.allclose(a[column], b[column], rtol=1e-9, atol=1e-9)
    # The queues really ran in the cluster's worker process, not in this one.
    worker_pids = {int(o.worker.rsplit(":", 1)[1]) for o in remote.outcomes}
    assert os.getpid() not in worker_pids and len(worker_pids) == 1
    assert {o.worker for o in local.outcomes} == {f"{socket.gethostname()}:{os.getpid()}"}
