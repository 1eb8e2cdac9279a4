"""Explain an impossible week: for each agent, the smallest set of rules that cannot all hold.

Every hard rule in this model concerns one agent, so the week is infeasible
exactly when some agent's own rules clash. Each agent gets a small model in
which every rule is switched on by an assumption literal; CP-SAT then names a
set of assumptions that is already infeasible, which we shrink to a minimal one.
"""
from __future__ import annotations

from dataclasses import dataclass

from ortools.sat.python import cp_model

from rules.base import Rule
from rules.site import Agent
from scheduler.roster.model import RosterModel, RosterProblem


@dataclass(frozen=True)
class AgentConflict:
    agent: Agent
    rules: list[Rule]
    shift_lengths: str

    def message(self) -> str:
        agent = self.agent
        clauses = "; ".join(rule.explain(agent) for rule in self.rules)
        return (f"no roster satisfies these rules for agent {agent.agent_id} ({agent.name}): {clauses} "
                f"— these cannot all hold together with the shifts their contract allows ({self.shift_lengths})")


def _infeasible_with(problem: RosterProblem, agent: Agent, rules: list[Rule], time_limit_s: float) -> tuple[bool, list[int]]:
    """Solve the agent's own model with each rule under an assumption; return (infeasible, core indices)."""
    rm = RosterModel(problem, agents=[agent], filter_options=False)
    literals = []
    for index, rule in enumerate(rules):
        literal = rm.model.NewBoolVar(f"rule{index}")
        literals.append(literal)
        rule.encode(rm, agent, literal)
        for date in rm.dates:
            for shift, var in rm.options(agent.agent_id, date):
                if not rule.option_allowed(agent, shift):
                    rm.model.AddImplication(literal, var.Not())
    rm.model.AddAssumptions(literals)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = time_limit_s
    solver.parameters.num_workers = 1
    status = solver.Solve(rm.model)
    if status != cp_model.INFEASIBLE:
        return False, []
    core = set(solver.SufficientAssumptionsForInfeasibility())
    return True, [i for i, lit in enumerate(literals) if lit.Index() in core]


def agent_conflict(problem: RosterProblem, agent: Agent, time_limit_s: float = 5.0) -> AgentConflict | None:
    """The minimal set of the agent's rules that cannot all hold, or None if the agent can be rostered."""
    rules = [r for r in problem.rules if r.applies_to(agent)]
    infeasible, core = _infeasible_with(problem, agent, rules, time_limit_s)
    if not infeasible:
        return None
    candidate = [rules[i] for i in core] or rules
    # Deletion filter: drop each rule in turn and keep it out if the rest still clash.
    index = 0
    while index < len(candidate):
        trial = candidate[:index] + candidate[index + 1:]
        if trial and _infeasible_with(problem, agent, trial, time_limit_s)[0]:
            candidate = trial
        else:
            index += 1
    contract = problem.site.contract(agent.contract)
    lengths = ", ".join(f"{t} = {problem.site.template(t).length_min / 60:g} h" for t in contract.shift_templates)
    return AgentConflict(agent, candidate, lengths)


def find_conflicts(problem: RosterProblem) -> list[AgentConflict]:
    conflicts = []
    for agent in problem.agents:
        conflict = agent_conflict(problem, agent)
        if conflict is not None:
            conflicts.append(conflict)
    return conflicts
