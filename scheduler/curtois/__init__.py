"""The Curtois & Qu Employee Shift Scheduling Benchmark, mapped onto the project's rule catalogue.

instance.py reads an instance file; importer.py turns it into a RosterProblem
(contracts, agents, time off, rule entries) plus the instance's day-level cover;
model.py builds the CP-SAT model through the catalogue's encodings; search.py
solves it within the time limit (start.py: a per-employee first roster, pattern
and shift DPs checked on each employee's exact model; window_search.py: the
prover beside chains of neighbourhood steps; submodel.py: each step's own model,
only the freed employee-days and what touches them; sat.py: the CP-SAT helpers and the
wall-clock deadline); objective.py recomputes the benchmark's objective from a
written roster alone and verify.py checks its hard rules; generate.py makes
random members of the family with a planted feasible roster; cli.py is the
`curtois` subcommand.
"""
