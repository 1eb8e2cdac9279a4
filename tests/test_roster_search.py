"""The roster search's sub-models agree with the full model, and the search only ever improves a roster.

The full CP-SAT model is the independent source here: a neighbourhood's
sub-model (some agents free, the rest fixed as constant presence) must price
any roster exactly as the full model does, and every solution it returns must
be a solution of the full model.
"""
from __future__ import annotations

import random

import pytest

from pipeline.inputs import load_inputs
from pipeline.plan import choose_dates, forecast_week
from scheduler.roster import lns
from scheduler.roster.greedy import greedy_roster
from scheduler.roster.model import RosterModel, RosterProblem, hinted_values
from scheduler.roster.neighbourhood import Neighbourhoods, agent_costs
from scheduler.roster.search import search_roster
from scheduler.staffing.requirements import requirements_frame
from tests.site_factory import BREAKS_SITE_YAML, write_small_site


@pytest.fixture(scope="module")
def model_and_start(tmp_path_factory):
    files = write_small_site(tmp_path_factory.mktemp("search"), site_yaml=BREAKS_SITE_YAML)
    inputs = load_inputs(files.site)
    dates = choose_dates(inputs, None)
    problem = RosterProblem(inputs.site, inputs.agents, inputs.time_off, dates, inputs.rules)
    problem.requirements = requirements_frame(forecast_week(inputs, dates), inputs.site.queues,
                                              inputs.site.interval_min)
    full = RosterModel(problem)
    full.add_rules()
    full.add_coverage()
    full.minimize()
    start = lns.complete(full.model, hinted_values(full, greedy_roster(problem)))
    assert start is not None
    return full, start


def _full_objective(full: RosterModel, values: list[int]) -> int:
    return round(lns.fixed_solver(full.model, values).ObjectiveValue())


@pytest.mark.parametrize("seed", range(4))
def test_a_sub_model_prices_the_current_roster_as_the_full_model_does(model_and_start, seed):
    full, start = model_and_start
    neighbourhoods = Neighbourhoods(full)
    ids = [a.agent_id for a in full.agents]
    free = set(random.Random(seed).sample(ids, 1 + seed % 3))
    sub = neighbourhoods.build(free, start, agent_costs(full, start))
    for i, j in sub.to_full:
        lns.pin(sub.model.proto, i, start[j])
    solver = lns._single_thread(5.0, 0, 30.0)
    assert solver.StatusName(solver.Solve(sub.model)) == "OPTIMAL"
    assert round(solver.ObjectiveValue()) + sub.fixed_cost == _full_objective(full, start)


@pytest.mark.parametrize("seed", range(3))
def test_a_sub_model_solution_is_a_full_solution_with_the_same_cost(model_and_start, seed):
    full, start = model_and_start
    neighbourhoods = Neighbourhoods(full)
    ids = [a.agent_id for a in full.agents]
    free = set(random.Random(10 + seed).sample(ids, 3))
    sub = neighbourhoods.build(free, start, agent_costs(full, start))
    solver = lns._single_thread(5.0, 0, 30.0)
    assert solver.StatusName(solver.Solve(sub.model)) in ("OPTIMAL", "FEASIBLE")
    values = list(start)
    for i, j in sub.to_full:
        values[j] = solver.ResponseProto().solution[i]
    assert _full_objective(full, values) == round(solver.ObjectiveValue()) + sub.fixed_cost
    assert _full_objective(full, values) <= _full_objective(full, start)   # hinted with the start


def test_search_improves_the_start_and_reports_an_honest_bound(model_and_start):
    full, start = model_and_start
    found = search_roster(full, start, time_limit_s=6, workers=2, seed=3)
    assert found.objective == _full_objective(full, found.solution)
    assert found.objective <= _full_objective(full, start)
    assert found.bound is not None and found.bound <= found.objective
    assert found.status in ("OPTIMAL", "FEASIBLE")
    again = search_roster(full, start, time_limit_s=6, workers=2, seed=3)
    assert again.solution == found.solution
