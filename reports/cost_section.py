"""Report section: cost in money kept apart from penalty points, rule checks, the solver in plain words."""
from __future__ import annotations

import pandas as pd

from pipeline.plan import PlanOutcome
from reports.htmlkit import collapsed, esc, table

MONEY_TERM = "paid_hours_cost"


def solver_status(outcome: PlanOutcome) -> str:
    """The solver's result as a planner reads it."""
    report = outcome.roster.report
    # The deterministic search stops on its deterministic budget, the same on every run; only CP-SAT's own
    # parallel search is told by the wall clock. Wall times stay out of the page (timings.csv has them).
    deterministic = outcome.inputs.site.solver.deterministic
    stopped = True if deterministic else report.wall_s >= report.time_limit_s * 0.95
    if report.proved_optimal:
        words = "proved optimal: no roster under these rules costs less"
    elif report.gap is not None and report.gap < 0.9999:
        words = (f"within {report.gap:.1%} of the best bound (the solver proved no roster costs less than "
                 f"{report.best_bound:,.0f} points; this one costs {report.objective:,.0f})")
    else:
        words = "a good roster, but no useful bound on how far from the best it is"
    if not report.proved_optimal:
        words += f"; stopped by the {report.time_limit_s:g} s time limit" if stopped else "; search ended early"
    if not report.searched:
        words += (f"; the limit only allowed the first roster, with no search: building the model and that roster "
                  f"takes about {report.expected_setup_s:.0f} s on the reference machine, so raise the time limit")
    if report.wall_clock_cut:
        words += ("; the wall-clock backstop cut the search short before its deterministic budget was spent "
                  "(a loaded machine): a rerun may give another roster")
    return (f"{words}. Limit {report.time_limit_s:g} s ({'deterministic' if deterministic else 'wall-clock'} time), "
            f"{report.workers} search thread(s), seed {report.seed}.")


def money(outcome: PlanOutcome) -> pd.DataFrame:
    """Paid hours and labour cost per contract, with a total row."""
    site = outcome.inputs.site
    agents = {a.agent_id: a for a in outcome.inputs.agents}
    rows: dict[str, dict] = {}
    for entry in outcome.roster.shifts:
        contract = site.contract(agents[entry.agent_id].contract)
        row = rows.setdefault(contract.id, {"contract": contract.name, "agents": set(), "paid hours": 0.0,
                                            "rate": contract.cost_per_hour})
        row["agents"].add(entry.agent_id)
        row["paid hours"] += entry.paid_minutes / 60
    frame = pd.DataFrame([{**r, "agents": len(r["agents"]), "labour cost": r["paid hours"] * r["rate"]}
                          for r in rows.values()])
    if frame.empty:
        return frame
    total = {"contract": "total", "agents": int(frame["agents"].sum()), "paid hours": frame["paid hours"].sum(),
             "rate": float("nan"), "labour cost": frame["labour cost"].sum()}
    return pd.concat([frame, pd.DataFrame([total])], ignore_index=True)


def penalties(outcome: PlanOutcome) -> pd.DataFrame:
    breakdown = outcome.roster.breakdown
    frame = pd.DataFrame([(k, v) for k, v in sorted(breakdown.items()) if k != MONEY_TERM],
                         columns=["objective term", "points"])
    return pd.concat([frame, pd.DataFrame([{"objective term": "total penalty points",
                                            "points": frame["points"].sum()}])], ignore_index=True)


def render(outcome: PlanOutcome, currency: str = "") -> str:
    site = outcome.inputs.site
    cost = money(outcome)
    label = f"labour cost ({currency})" if currency else "labour cost"
    cost = cost.rename(columns={"labour cost": label, "rate": f"rate per hour ({currency})" if currency else "rate per hour"})
    checks = pd.DataFrame(
        [(kind, text, sum(1 for v in outcome.violations if v.rule == kind)) for kind, text in outcome.rule_names]
        + [("coverage_by_skill", "agents counted only on queues they are skilled for, once each",
            sum(1 for v in outcome.violations if v.rule == "coverage_by_skill"))],
        columns=["rule", "what it checks", "violations"])
    out = ['<h2 id="cost">Cost, rules and solver</h2>',
           f'<p class="note">Money: paid hours × each contract\'s rate in {esc(currency or "the site’s currency")}. '
           'Penalty points: the other terms the roster search minimises (under- and over-coverage, fairness, '
           'preferences); they rank rosters and are not money.</p>',
           "<h3>Labour cost</h3>", table(cost, {"paid hours": ",.1f", label: ",.2f", cost.columns[3]: ".2f"},
                                         sortable=False),
           "<h3>Penalty points</h3>", table(penalties(outcome), {"points": ",.0f"}, sortable=False)]
    by_agent = outcome.roster.agent_breakdown
    if not by_agent.empty:
        pivot = by_agent.pivot_table(index="agent_id", columns="term", values="cost", aggfunc="sum", fill_value=0.0)
        pivot["total"] = pivot.sum(axis=1)
        pivot = pivot.sort_values("total", ascending=False).reset_index()
        out.append(collapsed(f"Objective by agent ({len(pivot)} agents)",
                             table(pivot, {c: ",.2f" for c in pivot.columns if c != "agent_id"})))
    charges = pd.DataFrame([(p.rule, p.agent_id or "", p.amount, p.message) for p in outcome.penalties],
                           columns=["rule", "agent", "points", "why"])
    out.append(collapsed(f"Soft-rule charges, recomputed from the roster ({len(charges)})",
                         table(charges.head(500), {"points": ",.2f"})))
    ok = not outcome.violations
    out += ["<h3>Rule checks</h3>",
            f'<p class="{"ok" if ok else "bad"}">' + ("All independent rule checks passed." if ok else
                                                      f"{len(outcome.violations)} rule violation(s) found.") + "</p>",
            '<p class="note">Each rule is verified on the finished roster by a checker that shares no code with '
            'the solver\'s encoding.</p>', table(checks)]
    if outcome.violations:
        violations = pd.DataFrame([(v.rule, v.agent_id or "", v.date or "", v.message) for v in outcome.violations],
                                  columns=["rule", "agent", "date", "problem"])
        out.append(table(violations.head(300)))
    out += ["<h3>Solver</h3>", f"<p>{esc(solver_status(outcome))}</p>",
            '<p class="note">How long each stage took is in timings.csv beside this page: wall times differ run '
            'to run, and this page is the same for the same inputs and seed.</p>',
            f'<p class="note">Site {esc(site.name)}, {len(outcome.inputs.agents)} agents, '
            f'{len(site.queues)} queues, {site.interval_min}-minute intervals, times in {esc(site.timezone)}.</p>']
    return "\n".join(out)
