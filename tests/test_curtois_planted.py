"""Random instances of the Curtois family with a planted feasible roster (scheduler/curtois/generate.py).

Every instance has a roster, so the solver must never call one infeasible; every roster it returns must pass
the independent checker with the objective it reports; a proved optimum cannot exceed the planted roster's
objective; and every model the solver builds (lean, path graphs, redundant cuts) must admit the planted
roster. Seeded, so a failure names its seed: `generate(seed, ...)` rebuilds the instance.
"""
from __future__ import annotations

import itertools
import random
import time

import pytest

from run_schedule import build_parser, main
from scheduler.curtois import sat
from scheduler.curtois.generate import generate, planted_roster_text, runs, weekends_worked
from scheduler.curtois.importer import import_instance
from scheduler.curtois.instance import read_instance
from scheduler.curtois.model import CurtoisModel, flow_size, window_capacity
from scheduler.curtois.objective import parse_roster
from scheduler.curtois.search import solve_curtois
from scheduler.curtois.start import employee_by_employee
from scheduler.curtois.verify import verify

SOLVER_CASES = 24          # instances the solver runs on in `make test`
SOLVER_LIMIT_S = 3.0      # most are proved optimal well before it


def _load(tmp_path, generated):
    path = tmp_path / f"{generated.name}.txt"
    path.write_text(generated.text)
    return import_instance(read_instance(path))


def _case(seed: int, long: bool = False):
    """A small random member of the family: 3-42 days (or up to 60 weeks with few staff), 1-10 staff."""
    rng = random.Random(seed)
    if long:
        return generate(seed, days=rng.randint(60, 420), staff=rng.randint(1, 4), shift_types=rng.randint(1, 12),
                        tight=seed % 2 == 0)
    return generate(seed, days=rng.randint(3, 42), staff=rng.randint(1, 10), shift_types=rng.randint(1, 5),
                    tight=seed % 2 == 0)


def test_generator_is_seeded_and_derives_limits_from_the_planted_roster(tmp_path):
    one, again, other = generate(5, weeks=4, staff=6, shift_types=3), generate(5, weeks=4, staff=6, shift_types=3), \
        generate(6, weeks=4, staff=6, shift_types=3)
    assert one.text == again.text and one.planted == again.planted and one.text != other.text
    instance = read_instance(_write(tmp_path, one))
    assert (instance.horizon, len(instance.staff), len(instance.shifts)) == (28, 6, 3)
    lengths = {s.id: s.minutes for s in instance.shifts}
    for staff in instance.staff:
        days = one.planted[staff.id]
        total = sum(lengths[d] for d in days if d)
        assert staff.min_minutes <= total <= staff.max_minutes
        longest = max([b - a + 1 for a, b, v in runs([d is not None for d in days]) if v] or [0])
        assert longest <= staff.max_consecutive <= longest + 1 or longest == 0
        assert weekends_worked(days) <= staff.max_weekends <= weekends_worked(days) + 1
        assert all(days[d] is None for d in instance.days_off.get(staff.id, ()))
    with pytest.raises(Exception, match="exactly one of days or weeks"):
        generate(1, days=7, weeks=1)


def _write(tmp_path, generated):
    path = tmp_path / f"{generated.name}.txt"
    path.write_text(generated.text)
    return path


@pytest.mark.parametrize("long", [False, True])
def test_planted_roster_passes_the_independent_checker(tmp_path, long):
    """The generator's promise, checked by the catalogue's checkers (which share no code with it): 150
    instances, half with windows and caps as tight as they go, the long ones up to 60 weeks."""
    for seed in range(150 if not long else 40):
        generated = _case(seed, long)
        cp = _load(tmp_path, generated)
        verdict = verify(cp, generated.planted)
        assert verdict.feasible, (seed, verdict.violations[:3])
        # The roster text round-trips through the reader the --verify command uses.
        assert parse_roster(cp.instance, planted_roster_text(generated)) == generated.planted


def test_every_model_admits_the_planted_roster(tmp_path):
    """No redundant constraint, path graph or window cut may remove a roster every rule accepts: the planted
    roster, pinned, must extend to a solution of each model the solver builds."""
    for seed in itertools.chain(range(30), range(1000, 1008)):
        long = seed >= 1000
        generated = _case(seed, long)
        cp = _load(tmp_path, generated)
        # (the weekend graphs of a long horizon are what the solver never builds: too large)
        for flow in (None, "runs") if long else (None, "runs", "weekends"):
            cm = CurtoisModel(cp, flow=flow)
            assert sat.complete(cm.model, cm.hint_values(generated.planted), 10.0, None) is not None, (seed, flow)


def test_solver_never_calls_a_planted_instance_infeasible_and_its_rosters_check_out(tmp_path):
    for seed in range(SOLVER_CASES):
        generated = _case(seed)
        cp = _load(tmp_path, generated)
        result = solve_curtois(cp, time_limit_s=SOLVER_LIMIT_S, workers=2, seed=seed)
        assert result.status in ("OPTIMAL", "FEASIBLE"), (seed, result.status, result.message)
        verdict = verify(cp, result.roster)
        assert verdict.feasible, (seed, verdict.violations[:3])
        assert result.objective == verdict.objective.total, seed
        planted = verify(cp, generated.planted).objective.total
        if result.status == "OPTIMAL":
            assert result.objective <= planted, seed
            assert result.bound == result.objective
        elif result.bound is not None:
            assert result.bound <= min(result.objective, planted) + 1e-6, seed


def test_start_rosters_year_long_employees_with_tight_windows(tmp_path):
    """Regression: on 52-week instances the per-employee start gave each employee 2 deterministic s of CP-SAT
    and called the instance INFEASIBLE when one ran out (a minutes window of a shift or less, exact caps),
    though the planted roster shows every employee has one. The DP-built start rosters all of them."""
    generated = generate(3, weeks=52, staff=8, shift_types=10, tight=True)
    cp = _load(tmp_path, generated)
    started = time.perf_counter()
    first = employee_by_employee(cp, seed=1, passes=1, det_limit_per_employee=0.5)
    assert first.status == "FEASIBLE", first.message
    assert verify(cp, first.roster).feasible
    assert time.perf_counter() - started < 30


def test_one_employee_instance_is_solved(tmp_path):
    """Regression: a one-employee instance crashed the window search (a sample of 2 from 1 employee)."""
    generated = generate(10, days=39, staff=1, shift_types=4)
    cp = _load(tmp_path, generated)
    result = solve_curtois(cp, time_limit_s=3, workers=2, seed=1)
    assert result.status in ("OPTIMAL", "FEASIBLE") and verify(cp, result.roster).feasible


def test_the_time_limit_covers_the_whole_solve(tmp_path):
    """Regression: a 60 s limit ran 380 s (models, start and a 2x backstop on top of the limit). Now the limit
    is the whole solve's, on a 12-week instance with 40 staff too."""
    generated = generate(21, weeks=12, staff=40, shift_types=8)
    cp = _load(tmp_path, generated)
    started = time.perf_counter()
    result = solve_curtois(cp, time_limit_s=6, workers=2, seed=1, started=started)
    wall = time.perf_counter() - started
    assert wall <= 6 * 1.1, wall
    assert result.status in ("OPTIMAL", "FEASIBLE", "UNKNOWN")
    if result.roster is not None:
        assert verify(cp, result.roster).feasible


def test_no_roster_within_the_limit_is_unknown_not_infeasible(tmp_path, capsys):
    """A year for 40 employees cannot even be built in a second: the command says so within the second."""
    path = _write(tmp_path, generate(22, weeks=52, staff=40, shift_types=12))
    build_parser()          # the other subcommands' modules are imported once per process, not per solve
    started = time.perf_counter()
    assert main(["curtois", str(path), "--time-limit", "1"]) == 1
    assert time.perf_counter() - started <= 1.1
    printed = capsys.readouterr().out
    assert "status UNKNOWN" in printed and "no roster found within the limit" in printed
    assert "INFEASIBLE" not in printed


CLASH = """\
SECTION_HORIZON
14
SECTION_SHIFTS
D,480,
SECTION_STAFF
A,D=14,4320,3360,5,2,2,1
B,D=3,4320,3360,5,2,2,1
SECTION_DAYS_OFF
SECTION_SHIFT_ON_REQUESTS
SECTION_SHIFT_OFF_REQUESTS
SECTION_COVER
0,D,1,100,1
13,D,1,100,1
"""


def test_infeasible_only_when_an_employees_exact_model_is_proved_so(tmp_path, capsys):
    """B may work 3 D shifts (1440 min) but must work 3360 min: CP-SAT proves B's own model has no roster."""
    path = tmp_path / "Clash.txt"
    path.write_text(CLASH)
    assert main(["curtois", str(path), "--time-limit", "5"]) == 1
    printed = capsys.readouterr().out
    assert "status INFEASIBLE" in printed and "employee B's own rules admit no roster" in printed


def test_flow_size_bounds_the_path_graph_it_estimates(tmp_path):
    """The solver decides against the path graphs from flow_size before building them: it must not
    underestimate them."""
    for seed in range(12):
        generated = _case(seed)
        cp = _load(tmp_path, generated)
        lean, full = CurtoisModel(cp, flow=None), CurtoisModel(cp, flow="weekends")
        arcs = len(full.model.proto.variables) - len(lean.model.proto.variables)
        assert sum(flow_size(s, cp.instance.horizon, True) for s in cp.instance.staff) >= arcs, seed


def test_window_capacity_matches_brute_force():
    """The O(H) automaton against every pattern of up to 11 days (runs touching a window's ends are free)."""
    def allowed(bits, max_run, min_off, min_run):
        for a, b, v in runs(list(bits)):
            if v and b - a + 1 > max_run:
                return False
            if 0 < a and b < len(bits) - 1 and b - a + 1 < (min_run if v else min_off):
                return False
        return True

    for length in range(1, 12):
        for max_run, min_off, min_run in itertools.product(range(1, 5), range(0, 4), range(0, 4)):
            best = max(sum(bits) for bits in itertools.product((False, True), repeat=length)
                       if allowed(bits, max_run, min_off, min_run))
            assert window_capacity(length, max_run, min_off, min_run) == best, (length, max_run, min_off, min_run)
