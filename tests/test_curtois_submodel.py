"""A window-search step's own model (scheduler/curtois/submodel.py) against the whole model, cloned and pinned.

For random steps on generated instances (a planted roster, so every instance has one): the step model's best
solution, merged into the current roster, is a roster the independent checker accepts, its objective is the
one the checker computes, and it is exactly as good as the best the whole model finds with the same
employees and days free. Seeded: a failure names its seed and step.
"""
from __future__ import annotations

import random

import numpy as np
import pytest
from ortools.sat.python import cp_model

from scheduler.curtois import sat, window_search
from scheduler.curtois.generate import generate
from scheduler.curtois.importer import import_instance
from scheduler.curtois.instance import read_instance
from scheduler.curtois.model import CurtoisModel
from scheduler.curtois.start import employee_by_employee
from scheduler.curtois.submodel import SubModels
from scheduler.curtois.verify import verify
from scheduler.roster.model import COST_SCALE

STEPS = 9


def _instance(tmp_path, seed: int, staff: int):
    """A generated 2-week instance, its lean model, the step builder and the per-employee start on it."""
    path = tmp_path / "instance.txt"
    path.write_text(generate(seed, weeks=2, staff=staff, shift_types=3).text)
    cp = import_instance(read_instance(path))
    lean = CurtoisModel(cp, flow=None)
    steps = window_search.Steps(lean.model, lean.groups())
    start = sat.complete(lean.model, lean.hint_values(employee_by_employee(cp, seed=seed).roster), 10.0, None)
    return cp, lean, steps, start


def _optimum(model: cp_model.CpModel) -> cp_model.CpSolver:
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.max_time_in_seconds = 30
    assert solver.Solve(model) == cp_model.OPTIMAL
    return solver


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_step_model_finds_the_same_best_roster_as_the_whole_model_pinned(tmp_path, seed):
    cp, lean, steps, current = _instance(tmp_path, seed, staff=7)
    groups = lean.groups()
    assert steps.sub_models.supported
    keys = sorted(groups, key=repr)
    owners = sorted({key[0] for key in keys}, key=repr)
    dates = sorted({key[1] for key in keys})
    rng = random.Random(seed)
    sizes = window_search.Sizes(days=3, staff_days=0.3, staff=0.3)
    for number in range(STEPS):
        kind = window_search.KINDS[number % len(window_search.KINDS)]
        who, days = window_search.free_keys(kind, sizes, owners, dates, rng)
        sub, merged, _ = steps.build(steps.window(who, days), current)
        assert len(sub.proto.variables) < len(lean.model.proto.variables)
        found = _optimum(sub)
        roster_values = merged(sat.values(found))

        whole = lean.model.clone()
        for key in keys:
            if key[0] not in who or key[1] not in days:
                for index in groups[key]:
                    sat.pin(whole.proto, index, current[index])
        assert found.ObjectiveValue() == pytest.approx(_optimum(whole).ObjectiveValue()), (seed, number)

        verdict = verify(cp, lean.roster(roster_values))
        assert verdict.feasible, (seed, number, verdict.violations[:3])
        assert verdict.objective.total == pytest.approx(found.ObjectiveValue() / COST_SCALE), (seed, number)
        assert sat.objective_value(lean.model, roster_values) == pytest.approx(found.ObjectiveValue())
        current = roster_values


def test_a_model_with_other_constraint_kinds_is_declined():
    model = cp_model.CpModel()
    x = [model.NewBoolVar(f"x{i}") for i in range(3)]
    model.AddAtMostOne(x)
    model.Minimize(sum(x))
    assert not SubModels(model, np.arange(3)).supported


def test_a_step_keeps_constraints_whose_enforcement_it_frees():
    """y ⇒ x1 + x2 ≥ 1 with x1, x2 held at 0 and y free: the step must keep y at 0 although the constraint
    holds none of its variables."""
    model = cp_model.CpModel()
    x1, x2, y = (model.NewBoolVar(name) for name in ("x1", "x2", "y"))
    model.Add(x1 + x2 >= 1).OnlyEnforceIf(y)
    model.Minimize(-5 * y + x1 + x2)
    step = SubModels(model, np.arange(3)).step(np.array([2]), [0, 0, 0])
    found = _optimum(step.model)
    assert step.merged([0, 0, 0], sat.values(found)) == [0, 0, 0]
    assert found.ObjectiveValue() == 0


def test_a_step_frees_the_auxiliary_variables_tied_to_its_own():
    """Cover as the Curtois model writes it: under − over = 1 − x, and a `short` flag that only the cover's
    constraints hold. Freeing x alone must free under, over and short too, or x could never go off shift."""
    model = cp_model.CpModel()
    x = model.NewBoolVar("x")
    under, over = model.NewIntVar(0, 1, "under"), model.NewIntVar(0, 1, "over")
    short = model.NewBoolVar("short")
    model.Add(under - over == 1 - x)
    model.Add(under == 0).OnlyEnforceIf(short.Not())
    model.Add(over == 0).OnlyEnforceIf(short)
    model.Minimize(10 * x + under)
    current = [1, 0, 0, 0]                                  # x on shift, cover met, not short
    step = SubModels(model, np.array([0])).step(np.array([0]), current)
    assert sorted(step.variables.tolist()) == [0, 1, 2, 3]
    found = _optimum(step.model)
    assert step.merged(current, sat.values(found)) == [0, 1, 0, 1] and found.ObjectiveValue() == 1


def test_merging_two_chains_keeps_both_improvements_when_they_do_not_clash(tmp_path):
    """Two steps from the same roster on different employees: the merge carries the second into the first,
    so the merged roster saves what both saved and passes the checker with the cost it reports."""
    cp, lean, steps, base = _instance(tmp_path, 4, staff=8)
    owners = sorted({key[0] for key in steps.keys}, key=repr)
    dates = sorted({key[1] for key in steps.keys})
    improved = []
    for half in (owners[:4], owners[4:]):
        sub, merged, _ = steps.build(steps.window(set(half), set(dates)), base)
        improved.append(merged(sat.values(_optimum(sub))))
    changed = [set(steps.changed(solution, base)) for solution in improved]
    assert all(key[0] in owners[:4] for key in changed[0]) and all(key[0] in owners[4:] for key in changed[1])
    deadline = sat.Deadline(float("inf"))
    joined, objective = window_search.merge(steps, improved[0], improved[1], base, 1, None, deadline)
    alone = [sat.objective_value(lean.model, s) for s in improved]
    saved = [sat.objective_value(lean.model, base) - cost for cost in alone]
    assert min(saved) > 0                              # both halves improved on their own (51,800: 100 and 10,100)
    assert objective <= sat.objective_value(lean.model, base) - sum(saved) + 1e-9
    verdict = verify(cp, lean.roster(joined))
    assert verdict.feasible and verdict.objective.total == pytest.approx(objective / COST_SCALE)


def test_a_model_the_sub_models_cannot_read_is_cloned_and_pinned_with_the_same_best_step(tmp_path):
    cp, lean, steps, current = _instance(tmp_path, 5, staff=6)
    dates = sorted({key[1] for key in steps.keys})
    keys = steps.window({key[0] for key in steps.keys}, set(dates[3:7]))
    own, own_merged, _ = steps.build(keys, current)
    steps.sub_models.supported = False
    whole, whole_merged, _ = steps.build(keys, current)
    assert len(whole.proto.variables) == len(lean.model.proto.variables) > len(own.proto.variables)
    best_own, best_whole = _optimum(own), _optimum(whole)
    assert best_own.ObjectiveValue() == pytest.approx(best_whole.ObjectiveValue())
    for solution in (own_merged(sat.values(best_own)), whole_merged(sat.values(best_whole))):
        assert verify(cp, lean.roster(solution)).feasible
