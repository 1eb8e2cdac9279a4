"""Run the base and every scenario in parallel and collect the comparison.

The forecast is computed once for the base and handed (scaled per scenario) to
every run. Each run's roster search uses `solver_threads` threads, and no more
runs go at once than the cores allow (threads x parallel runs <= cores, on every
Dask worker too), so the deterministic search never falls back on its
wall-clock backstop and the same inputs give the same results, one after
another, in local processes or on a cluster.
"""
from __future__ import annotations

import datetime as dt
import logging
import os
import re
import time
from dataclasses import dataclass
from pathlib import Path

from common.errors import InputError
from common.parallel import Lost, connect_dask, dask_slots, run_each
from pipeline.inputs import SiteInputs
from pipeline.plan import choose_dates, make_forecast
from scenarios.apply import apply_scenario, scale_forecast
from scenarios.run import BASE, ScenarioResult, ScenarioTask, run_scenario
from scenarios.spec import Scenario

log = logging.getLogger(__name__)


@dataclass
class ScenarioRun:
    results: list[ScenarioResult]     # base first, then the scenarios in file order
    dates: tuple[dt.date, ...]
    executor: str
    solver_threads: int
    time_limit_s: float | None
    forecast_s: float
    wall_s: float
    currency: str
    site_name: str

    @property
    def failed(self) -> list[ScenarioResult]:
        return [r for r in self.results if r.status != "ok"]


def slug(name: str) -> str:
    """A folder name for a scenario's own plan files."""
    text = re.sub(r"[^A-Za-z0-9]+", "-", name).strip("-").lower()
    return text[:60] or "scenario"


def folders(results: list[ScenarioResult]) -> dict[str, str]:
    out: dict[str, str] = {}
    for r in results:
        base, k = slug(r.name), 1
        name = base
        while name in out.values():
            k += 1
            name = f"{base}-{k}"
        out[r.name] = name
    return out


def build_tasks(base: SiteInputs, scenarios: list[Scenario], week_start: dt.date | None,
                time_limit_s: float | None, solver_threads: int, forecast_db: Path | None
                ) -> tuple[list[ScenarioTask], tuple[dt.date, ...], float]:
    """Every scenario applied to the base (any mistake raises here, before work starts) and the one forecast."""
    dates = choose_dates(base, week_start)
    changed = [(s, apply_scenario(base, s)) for s in scenarios]
    clock = time.perf_counter()
    used = make_forecast(base, dates, forecast_db)
    forecast_s = time.perf_counter() - clock
    tasks = [ScenarioTask(BASE, "the site as it is", base, used, dates[0], time_limit_s, solver_threads)]
    tasks += [ScenarioTask(s.name, s.changes(), inputs, scale_forecast(used, s), dates[0], time_limit_s,
                           solver_threads, s) for s, inputs in changed]
    return tasks, dates, forecast_s


def check_threads(parallel: int, solver_threads: int, cores: int, where: str = "--parallel") -> None:
    if parallel * solver_threads > cores:
        raise InputError(where, f"{parallel} runs at once x {solver_threads} solver thread(s) = "
                                f"{parallel * solver_threads}, more than the {cores} cores",
                         "lower --parallel or --solver-threads: oversubscribed cores make the roster search hit "
                         "its wall-clock backstop, and then results can differ between runs")


def run_scenarios(base: SiteInputs, scenarios: list[Scenario], *, week_start: dt.date | None = None,
                  time_limit_s: float | None = None, forecast_db: Path | None = None, scheduler: str | None = None,
                  parallel: int | None = None, solver_threads: int = 1) -> ScenarioRun:
    started = time.perf_counter()
    tasks, dates, forecast_s = build_tasks(base, scenarios, week_start, time_limit_s, solver_threads, forecast_db)
    client = None
    if scheduler:
        client = connect_dask(scheduler)
        by_host: dict[str, tuple[int, int]] = {}
        for address, threads, cores in dask_slots(client):
            host = address.rsplit(":", 1)[0]
            total, _ = by_host.get(host, (0, cores))
            by_host[host] = (total + threads, cores)
        for host, (threads, cores) in sorted(by_host.items()):
            check_threads(threads, solver_threads, cores, f"--scheduler workers on {host}")
        executor = f"Dask {scheduler}"
        workers = 1
    else:
        cores = os.cpu_count() or 1
        workers = parallel or max(1, cores // solver_threads)
        check_threads(workers, solver_threads, cores)
        executor = f"local: {workers} process(es)" if workers > 1 else "one after another in this process"
    log.info("planning the base and %d scenario(s) for %s to %s on %s, %d solver thread(s) each",
             len(scenarios), dates[0], dates[-1], executor, solver_threads)
    results: list[ScenarioResult | None] = [None] * len(tasks)
    # Headcount searches run many plans one after another: start them first so they do not finish last alone.
    order = sorted(range(len(tasks)), key=lambda i: (tasks[i].scenario is None or tasks[i].scenario.solve_for is None, i))
    try:
        for position, result in run_each(run_scenario, [tasks[i] for i in order], client=client, workers=workers):
            index = order[position]
            task = tasks[index]
            if isinstance(result, Lost):
                result = ScenarioResult(task.name, task.changes, "failed", error=result.error)
            results[index] = result
            log.info("  %s: %s in %.0f s", task.name, "done" if result.status == "ok" else f"FAILED ({result.error})",
                     result.wall_s)
    finally:
        if client is not None:
            client.close()
    return ScenarioRun(results, dates, executor, solver_threads, time_limit_s, forecast_s,
                       time.perf_counter() - started, currency_of(base), base.site.name)


def currency_of(inputs: SiteInputs) -> str:
    return getattr(inputs.site, "currency", "") or ""
