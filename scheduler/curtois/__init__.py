"""The Curtois & Qu Employee Shift Scheduling Benchmark, mapped onto the project's rule catalogue.

instance.py reads an instance file; importer.py turns it into a RosterProblem
(contracts, agents, time off, rule entries) plus the instance's day-level cover;
model.py builds the CP-SAT model through the catalogue's encodings; search.py
solves it deterministically (window_search.py: the prover beside chains of
neighbourhood steps); objective.py recomputes the benchmark's objective
from a written roster alone; cli.py is the `curtois` subcommand.
"""
