"""The Curtois window search: its neighbourhoods, its adaptive sizes and its reproducibility with chain epochs."""
from __future__ import annotations

import random
import threading
import time
from pathlib import Path

import pytest

from scheduler.curtois import sat, window_search
from scheduler.curtois.importer import import_instance
from scheduler.curtois.instance import read_instance
from scheduler.curtois.model import CurtoisModel
from scheduler.curtois.search import CHAIN_PARAMETERS, LIN2
from scheduler.curtois.start import employee_by_employee
from scheduler.curtois.verify import verify
from scheduler.roster.model import COST_SCALE

INSTANCE1 = Path(__file__).parent / "fixtures" / "curtois" / "Instance1.txt"


def test_each_kind_frees_what_it_says():
    owners, dates = list("ABCDEFGHIJ"), list(range(28))
    sizes = window_search.Sizes(days=5.2, staff_days=0.3, staff=0.5)
    rng = random.Random(1)
    who, days = window_search.free_keys("days", sizes, owners, dates, rng)
    assert who == set(owners) and len(days) == 5 and max(days) - min(days) == 4
    who, days = window_search.free_keys("staff_days", sizes, owners, dates, rng)
    assert len(who) == 3 and len(days) == window_search.STAFF_DAYS_SPAN
    who, days = window_search.free_keys("staff", sizes, owners, dates, rng)
    assert len(who) == 5 and days == set(dates)


def test_sizes_grow_after_solved_steps_and_shrink_after_cut_short_ones():
    sizes = window_search.Sizes()
    assert sizes.adapted("days", True).days > sizes.days > sizes.adapted("days", False).days
    assert sizes.adapted("staff", True).staff > sizes.staff > sizes.adapted("staff", False).staff
    assert window_search.Sizes(staff_days=1.0).adapted("staff_days", True).staff_days == 1.0
    assert window_search.Sizes(days=1.0).adapted("days", False).days == 1.0


def test_epochs_cover_the_limit():
    assert window_search._epochs(60, 1.0, 6) == [60]
    plan = window_search._epochs(60, 0.15, 6)
    assert plan[0] == 9 and abs(sum(plan) - 60) < 1e-9 and len(plan) == 1 + round(51 / 6)


def _search(seed: int, local_search_share: float = 0.0):
    cp = import_instance(read_instance(INSTANCE1))
    lean = CurtoisModel(cp, flow=None)
    start = sat.complete(lean.model, lean.hint_values(employee_by_employee(cp, seed=seed).roster), 10.0, None)
    # A generous wall clock: the deterministic budgets alone end this search, so it repeats exactly.
    found = window_search.search(lean.model, lean.model, lean.groups(), start, time_limit_s=2.0, workers=2,
                                 seed=seed, prover=LIN2, chain_parameters=CHAIN_PARAMETERS, prover_share=0.1,
                                 epoch_s=0.6, prover_det_per_s=0.05, chain_det_per_s=0.5,
                                 deadline=sat.Deadline(time.perf_counter() + 120),
                                 local_search_share=local_search_share, local_search_det_per_s=0.5)
    assert not found.backstop_hit
    return cp, lean, found


@pytest.mark.parametrize("local_search_share", [0.0, 0.3])
def test_chain_epochs_are_reproducible_and_their_objective_checks_out(local_search_share):
    """A prover too short to prove (beside a chain, or beside the local search for a longer first epoch), then
    chain epochs: the same roster twice, scored as the checker scores it."""
    cp, lean, first = _search(4, local_search_share)
    _, _, again = _search(4, local_search_share)
    assert first.solution == again.solution and first.objective == again.objective
    assert first.steps > 0
    verdict = verify(cp, lean.roster(first.solution))
    assert verdict.feasible and verdict.objective.total == round(first.objective / COST_SCALE)
    assert first.bound is not None and first.bound <= first.objective


def _local_search(tmp_path, det_limit: float):
    """CP-SAT's local search on a generated 4-week, 20-employee instance from its (poor) per-employee start."""
    from scheduler.curtois.generate import generate

    generated = generate(3, weeks=4, staff=20, shift_types=4)
    path = tmp_path / f"{generated.name}.txt"
    path.write_text(generated.text)
    cp = import_instance(read_instance(path))
    lean = CurtoisModel(cp, flow=None)
    start = sat.complete(lean.model, lean.hint_values(employee_by_employee(cp, seed=1).roster), 10.0, None)
    objective = sat.objective_value(lean.model, start)
    found = window_search.local_search(lean.model, start, objective, det_limit, 5, window_search.Sizes(),
                                       threading.Event(), time.perf_counter(),
                                       sat.Deadline(time.perf_counter() + 120))
    return cp, lean, objective, found


def test_local_search_improves_the_start_the_same_way_twice_and_its_roster_checks_out(tmp_path):
    cp, lean, start_objective, first = _local_search(tmp_path, 3.0)
    _, _, _, again = _local_search(tmp_path, 3.0)
    assert first.solution is not None and first.objective < start_objective
    assert first.solution == again.solution and first.objective == again.objective
    verdict = verify(cp, lean.roster(first.solution))
    assert verdict.feasible and verdict.objective.total == round(first.objective / COST_SCALE)
    assert abs(first.det_time - 3.0) < 0.5          # it spends its deterministic budget, not the clock
