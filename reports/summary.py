"""The short terminal summary printed after `plan`."""
from __future__ import annotations

from pipeline.plan import PlanOutcome


def solver_line(outcome: PlanOutcome) -> str:
    report = outcome.roster.report
    gap = "proved optimal" if report.proved_optimal else (
        f"not proved optimal, gap {report.gap:.2%} to bound {report.best_bound:,.0f}" if report.gap is not None else "no bound")
    cut = ("; STOPPED BY THE WALL CLOCK before its deterministic budget was spent (a loaded machine): "
           "a rerun may give another roster" if report.wall_clock_cut else "")
    if not report.searched:
        cut += (f"; NOT SEARCHED: building the model and its first roster took {report.setup_s:.0f} s, more than "
                "the limit, so this is the first roster: raise --time-limit")
    return (f"solver: {report.status}, cost {report.objective:,.0f} ({gap}); {report.wall_s:.1f} s of "
            f"{report.time_limit_s:g} s limit ({report.setup_s:.1f} s to build the model and the first roster), "
            f"{report.workers} workers, seed {report.seed}{cut}")


def summary_text(outcome: PlanOutcome) -> str:
    site = outcome.inputs.site
    lines = [f"{site.name}: roster for {outcome.dates[0]} to {outcome.dates[-1]}"]
    for row in outcome.summary.itertuples(index=False):
        target = f"{row.target_sl:.0%} in {row.target_s:g} s" if row.target_sl is not None else "no SL target"
        lines.append(f"  {row.queue:<8} {row.contacts:8,.0f} contacts  coverage {row.coverage:6.1%}  "
                     f"projected SL {row.projected_sl:6.1%} (simulated {row.simulated_sl:6.1%}; goal {target})  short in {row.intervals_short} of "
                     f"{row.intervals} intervals")
    paid = sum(s.shift.minutes for s in outcome.roster.shifts) / 60
    agents = len({s.agent_id for s in outcome.roster.shifts})
    lines.append(f"  paid hours {paid:,.0f} across {agents} agents")
    lines.append("  " + solver_line(outcome))
    checked = len(outcome.rule_names) + 1
    if outcome.violations:
        lines.append(f"  RULE CHECKS FAILED: {len(outcome.violations)} violation(s), e.g. {outcome.violations[0].message}")
    else:
        lines.append(f"  rule checks: all {checked} independent checks passed")
    return "\n".join(lines)
