"""Shared encoding for the two minimum-run rules: runs of working days, and runs of days off.

A run that touches the first or last day of the planning period may go on
outside it; with `exempt_edges: true` (the default) such runs are not held to
the minimum. With `exempt_edges: false` runs are measured inside the period
alone, as if it were all there is.

Only the CP-SAT side lives here; each rule's checker recounts runs from the
roster's dates on its own.
"""
from __future__ import annotations

from typing import Any

from rules.base import EncodeContext, enforce
from rules.site import Agent


def encode_min_run(ctx: EncodeContext, agent: Agent, *, days: int, exempt_edges: bool, working: bool,
                   kind: str, soft: bool, weight: float, literal: Any | None = None) -> None:
    """Every run of working days (working=True) or days off (working=False) lasts at least `days` days.

    v(i) is 1 when day i belongs to the kind of run; a run starts at i when v(i) = 1 and v(i-1) = 0,
    and then v(i+1..i+days-1) must all be 1. Hard: the linear form of the clause
    "not start(i) or v(i+j)". Soft: a 0/1 short[i] ≥ start(i) − v(i+j) for each j, penalised per run.
    """
    dates = list(ctx.dates)
    n = len(dates)
    works = [ctx.works(agent.agent_id, d) for d in dates]
    value = [w if working else 1 - w for w in works]
    for i in range(n):
        if i == 0 and exempt_edges:
            continue
        start = value[i] - value[i - 1] if i > 0 else value[0]
        needs = []          # expressions that must be 1 if a run starts at i
        cut = False         # the run would reach past the period's end before it is long enough
        for j in range(1, days):
            if i + j > n - 1:
                cut = not exempt_edges
                break
            needs.append(value[i + j])
        if not needs and not cut:
            continue
        if soft:
            short = ctx.model.NewBoolVar(f"short_run[{kind},{agent.agent_id},{i}]")
            for need in needs:
                ctx.model.Add(short >= start - need)
            if cut:
                ctx.model.Add(short >= start)
            ctx.penalize(kind, short, weight, agent.agent_id)
            continue
        for need in needs:
            enforce(ctx.model.Add(need >= start), literal)
        if cut:
            enforce(ctx.model.Add(start <= 0), literal)
