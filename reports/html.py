"""The self-contained plan report: one HTML file, inline SVG charts and one small inline script, no network.

Each section is its own module (forecast, coverage and heat map, service, roster
Gantt, agents, cost/rules/solver); this one orders them under a header with the
week's key figures.
"""
from __future__ import annotations

from pipeline.plan import PlanOutcome
from reports import agents_section, cost_section, coverage_section, forecast_section, gantt_section, service_section
from reports import calibration_section, quality_section
from reports.htmlkit import esc, page

SECTIONS = [("quality", "Data quality"), ("forecast", "Forecast"), ("coverage", "Coverage"), ("service", "Service"), ("roster", "Roster"),
            ("agents", "Agents"), ("cost", "Cost, rules, solver")]


def currency(outcome: PlanOutcome) -> str:
    return getattr(outcome.inputs.site, "currency", "") or ""


def header(outcome: PlanOutcome) -> list[str]:
    site = outcome.inputs.site
    summary = outcome.summary
    money = cost_section.money(outcome)
    total_cost = float(money["labour cost"].iloc[-1]) if not money.empty else 0.0
    paid = float(money["paid hours"].iloc[-1]) if not money.empty else 0.0
    required = outcome.evaluation["agents"].sum()
    covered = outcome.evaluation[["agents", "scheduled"]].min(axis=1).sum()
    cards = [("labour cost", f"{total_cost:,.0f} {esc(currency(outcome))}"), ("paid hours", f"{paid:,.0f}"),
             ("agents rostered", f"{len({s.agent_id for s in outcome.roster.shifts})} of {len(outcome.inputs.agents)}"),
             ("coverage", f"{covered / required:.1%}" if required else "-")]
    for row in summary.itertuples(index=False):
        cards.append((f"{row.queue} service level", f"{row.projected_sl:.1%} <small>sim {row.simulated_sl:.1%}</small>"))
    ok = not outcome.violations
    return [
        f"<h1>{esc(site.name)}: roster {outcome.dates[0]} to {outcome.dates[-1]}</h1>",
        '<div class="cards">' + "".join(f'<div class="card"><small>{esc(k)}</small><b>{v}</b></div>' for k, v in cards)
        + "</div>",
        f'<p class="{"ok" if ok else "bad"}">'
        + ("All independent rule checks passed." if ok else f"{len(outcome.violations)} rule violation(s) found.")
        + f' Solver: {esc(cost_section.solver_status(outcome))}</p>',
        "<nav>" + "".join(f'<a href="#{anchor}">{esc(label)}</a>' for anchor, label in SECTIONS) + "</nav>",
    ]


def render_report(outcome: PlanOutcome) -> str:
    sections = header(outcome) + [
        quality_section.render(outcome),
        forecast_section.render(outcome),
        coverage_section.render(outcome),
        service_section.render(outcome),
        calibration_section.render(outcome),
        gantt_section.render(outcome),
        agents_section.render(outcome),
        cost_section.render(outcome, currency(outcome)),
    ]
    return page(f"Roster {outcome.dates[0]} - {outcome.inputs.site.name}", sections)
