"""The Curtois window search: its neighbourhoods, its adaptive sizes and its reproducibility with chain epochs."""
from __future__ import annotations

import random
import time
from pathlib import Path

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


def _search(seed: int):
    cp = import_instance(read_instance(INSTANCE1))
    lean = CurtoisModel(cp, flow=None)
    start = sat.complete(lean.model, lean.hint_values(employee_by_employee(cp, seed=seed).roster), 10.0, None)
    # A generous wall clock: the deterministic budgets alone end this search, so it repeats exactly.
    found = window_search.search(lean.model, lean.model, lean.groups(), start, time_limit_s=2.0, workers=2,
                                 seed=seed, prover=LIN2, chain_parameters=CHAIN_PARAMETERS, prover_share=0.1,
                                 epoch_s=0.6, prover_det_per_s=0.05, chain_det_per_s=0.5,
                                 deadline=sat.Deadline(time.perf_counter() + 120))
    assert not found.backstop_hit
    return cp, lean, found


def test_chain_epochs_are_reproducible_and_their_objective_checks_out():
    """A prover too short to prove, then chain epochs: the same roster twice, scored as the checker scores it."""
    cp, lean, first = _search(seed=4)
    _, _, again = _search(seed=4)
    assert first.solution == again.solution and first.objective == again.objective
    assert first.steps > 0
    verdict = verify(cp, lean.roster(first.solution))
    assert verdict.feasible and verdict.objective.total == round(first.objective / COST_SCALE)
    assert first.bound is not None and first.bound <= first.objective
