"""The `surge` subcommand: verdict, service level before and after, the change list, and the files."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd

from common.errors import InputError
from common.io import check_output_folder, staged_output
from pipeline.inputs import DEFAULT_SITE
from pipeline.quality import warnings_text
from pipeline.surge import SurgeOutcome, load_surge_inputs, run_surge
from reports import quality_section
from reports.htmlkit import WeekAxis, esc, legend, local_span, page, polyline, svg_open, table, y_axis
from reports.tables import iso, roster_frame

OUTPUT_FILES = ("changes.csv", "roster_revised.csv", "requirements_revised.csv", "surge.html")
LABELS = {"hold": "no action", "plan": "surge plan", "scratch": "re-solved from scratch"}


def register(subparsers: argparse._SubParsersAction) -> None:
    surge = subparsers.add_parser("surge", help="contacts off forecast today: re-plan the rest of the day with the fewest changes",
                                  description="Detect a surge or lull from today's actuals, re-forecast the rest of "
                                              "today and re-plan it with the fewest, cheapest changes.")
    surge.add_argument("--site", type=Path, default=DEFAULT_SITE, help="site YAML (its intraday: section prices changes)")
    surge.add_argument("--roster", type=Path, required=True, help="the published roster.csv (from plan)")
    surge.add_argument("--forecast", type=Path, help="the day-ahead forecast.csv (default: beside the roster)")
    surge.add_argument("--actuals", type=Path, required=True, help="today's intervals so far: queue, start, contacts[, aht_s, abandoned]")
    surge.add_argument("--now", required=True, help="the moment of the re-plan, e.g. 2026-12-01T10:30 (site local time)")
    surge.add_argument("--agents", type=Path, help="agents CSV (default: the site YAML's)")
    surge.add_argument("--time-off", type=Path, help="time-off CSV (default: the site YAML's)")
    surge.add_argument("--out", type=Path, default=Path("out/surge"), help="output folder (default: out/surge)")
    surge.add_argument("--time-limit", type=float, default=10.0, help="solver time limit per re-plan in seconds (default 10)")
    surge.add_argument("--compare-scratch", action="store_true",
                       help="also re-solve the rest of the day from scratch, to compare")
    surge.set_defaults(func=surge_command)


def surge_command(args: argparse.Namespace) -> int:
    if args.time_limit <= 0:
        raise InputError("--time-limit", f"{args.time_limit:g} is not a positive number of seconds", "use e.g. --time-limit 10")
    check_output_folder(args.out)
    inputs = load_surge_inputs(args.site, args.roster, args.actuals, args.now, args.forecast, args.agents, args.time_off)
    if warnings_text(inputs.findings):
        print(warnings_text(inputs.findings), file=sys.stderr)
    outcome = run_surge(inputs, args.time_limit, args.compare_scratch)
    files = write_surge(outcome, args.out)
    print(surge_text(outcome))
    print("wrote " + ", ".join(str(f) for f in files))
    return 1 if any(r.violations for r in outcome.replans.values()) else 0


def service_table(outcome: SurgeOutcome) -> pd.DataFrame:
    rows = []
    hours = outcome.inputs.site.interval_min / 60
    for name, summary in outcome.summaries.items():
        replan = outcome.replans[name]
        evaluation = outcome.evaluations[name]
        for row in summary.itertuples(index=False):
            part = evaluation[evaluation["queue"] == row.queue]
            short = (part["agents"] - part["scheduled"]).clip(lower=0).sum() * hours
            rows.append({"re-plan": LABELS[name], "queue": row.queue, "projected_sl": row.projected_sl,
                         "simulated_sl": row.simulated_sl, "intervals_short": row.intervals_short,
                         "agent_hours_short": round(float(short), 2), "agents_changed": replan.changed_agents})
    return pd.DataFrame(rows)


def reforecast_text(outcome: SurgeOutcome) -> str:
    """How the rest of today was re-forecast, in a planner's words, with each queue's ratio."""
    ratios = "; ".join(f"{q} running {r.observed - 1:+.0%}, planning on {r.ratio - 1:+.0%} fading back"
                       for q, r in sorted(outcome.ratios.items()))
    return ("rest of today re-forecast as the day-ahead forecast times today's actual-to-forecast ratio so far "
            f"(recent intervals weighted most, shrunk by the forecast band, fading over the day): {ratios}")


def surge_text(outcome: SurgeOutcome) -> str:
    lines = [s.message for s in outcome.signals]
    lines.append(reforecast_text(outcome))
    table = service_table(outcome)
    lines.append("service level for the rest of today (formula / simulation):")
    for queue, part in table.groupby("queue", sort=False):
        cells = [f"{r['re-plan']} {r['projected_sl']:.1%} / {r['simulated_sl']:.1%}, {r['agent_hours_short']:g} h short"
                 for _, r in part.iterrows()]
        lines.append(f"  {queue:<6} " + " | ".join(cells))
    for name, replan in outcome.replans.items():
        report = replan.result.report
        cut = " (stopped by the wall clock, not the deterministic budget: a rerun may differ)" \
            if report.wall_clock_cut else ""
        lines.append(f"  {LABELS[name]}: {replan.changed_agents} agent(s) changed, {len(replan.violations)} rule "
                     f"violation(s), solver {report.status}{cut}")
    changes = outcome.changes
    lines.append(f"{len(changes)} change(s), total cost {changes['cost'].sum() if len(changes) else 0:,.2f}:")
    for row in changes.itertuples(index=False):
        lines.append(f"  {pd.Timestamp(row.time):%H:%M} {row.agent_id} {row.detail}  ({row.cost:+,.2f})")
    return "\n".join(lines)


def _evaluation_table(outcome: SurgeOutcome) -> pd.DataFrame:
    frames = []
    for name, evaluation in outcome.evaluations.items():
        part = evaluation[["queue", "start", "contacts", "aht_s", "agents", "scheduled", "projected_sl",
                           "sim_service_level", "sim_service_level_lo", "sim_service_level_hi"]].copy()
        part.insert(0, "re_plan", name)
        frames.append(part)
    table = pd.concat(frames, ignore_index=True)
    table["start"] = iso(table["start"])
    return table.round(4)


def write_surge(outcome: SurgeOutcome, out_dir: Path) -> list[Path]:
    plan = outcome.replans["plan"]
    with staged_output(out_dir) as staging:
        changes = outcome.changes.copy()
        if len(changes):
            changes["time"] = iso(changes["time"])
        changes.to_csv(staging / "changes.csv", index=False)
        roster_frame(plan.result.shifts, outcome.inputs.agents).to_csv(staging / "roster_revised.csv", index=False)
        requirements = _evaluation_table(outcome)
        requirements.to_csv(staging / "requirements_revised.csv", index=False)
        (staging / "surge.html").write_text(render_surge(outcome, requirements), encoding="utf-8")
    return [Path(out_dir) / name for name in OUTPUT_FILES]


COLOURS = {"hold": "#b42318", "plan": "#0b5cab", "scratch": "#7b8794"}


def _service_chart(part: pd.DataFrame, column: str, label: str, target: float, day, interval_min: int) -> str:
    """Service level per interval for the rest of today, one line per re-plan, the goal dashed."""
    width, height, left, top, bottom = 1000, 230, 56, 22, 190
    starts = pd.to_datetime(part["start"], utc=True).dt.tz_convert(str(day.now.tzinfo))
    first, last = local_span(starts, interval_min)
    axis = WeekAxis([day.date], first, last, left, width - 10, gap=0)
    y = lambda v: bottom - v * (bottom - top)     # noqa: E731
    parts = [svg_open(width, height, label), y_axis([0, 0.2, 0.4, 0.6, 0.8, 1.0], y, left, width - 10, "service level", ".0%"),
             axis.ticks(top, bottom, every_min=60, day_labels=False),
             polyline([(axis.x(0, first), y(target)), (axis.x(0, last), y(target))], "#127a3a", 1.2, "5,4"),
             f'<text x="{width - 14}" y="{y(target) - 4:.1f}" font-size="10" fill="#127a3a" text-anchor="end">'
             f'goal {target:.0%}</text>',
             f'<text x="{(left + width) / 2:.0f}" y="{height - 4}" font-size="10.5" text-anchor="middle" '
             f'fill="#52606d">interval start (local time)</text>']
    half = interval_min / 2
    for name, rows in part.assign(local=starts).groupby("re_plan", sort=False):
        points = [(axis.x(0, t.hour * 60 + t.minute + half), y(float(v)))
                  for t, v in zip(rows["local"], rows[column].fillna(1.0))]
        parts.append(polyline(points, COLOURS.get(name, "#1f2933"), 2.0))
    return "".join(parts) + "</svg>"


def render_surge(outcome: SurgeOutcome, requirements: pd.DataFrame) -> str:
    day = outcome.inputs.day
    body = [f"<h1>Surge re-plan at {day.now:%a %d %b %Y %H:%M}</h1>",
            f'<p class="note">Frozen before {day.until:%H:%M} (now plus the shortest notice); every other day '
            f"stands as published.</p>", "<h2>What is happening</h2><ul>"]
    body += [f"<li>{esc(s.message)}</li>" for s in outcome.signals]
    body.append(f"</ul><p>{esc(reforecast_text(outcome).capitalize())}.</p><h2>Service level, rest of today</h2>")
    body.append(table(service_table(outcome), {"projected_sl": ".1%", "simulated_sl": ".1%", "agent_hours_short": "g"}))
    body.append(legend([(COLOURS[n], LABELS[n]) for n in outcome.replans] + [("#127a3a", "service goal")]))
    for queue in outcome.inputs.site.queues:
        part = requirements[requirements["queue"] == queue.id]
        goal = queue.service_goal.service_level or queue.service_goal.deadline_share or 0.8
        for column, what in (("projected_sl", "projected (formula)"), ("sim_service_level", "simulated")):
            body.append(f"<h3>{esc(queue.id)}: {what} service level per interval</h3>")
            body.append(_service_chart(part, column, f"{queue.id} {what} service level", goal, day,
                                       outcome.inputs.site.interval_min))
    changes = outcome.changes
    total = changes["cost"].sum() if len(changes) else 0.0
    body.append(f"<h2>Changes ({len(changes)}, total cost {total:,.2f})</h2>")
    if len(changes):
        shown = changes.assign(time=changes["time"].map(lambda t: f"{pd.Timestamp(t):%H:%M}"))
        body.append(table(shown, {"cost": ",.2f"}))
    for name, replan in outcome.replans.items():
        if replan.violations:
            body.append(f'<p class="bad">{esc(LABELS[name])}: {len(replan.violations)} rule violation(s)</p><ul>')
            body += [f"<li>{esc(v.rule)} {esc(v.agent_id or '')}: {esc(v.message)}</li>" for v in replan.violations[:50]]
            body.append("</ul>")
    body.append(quality_section.render(outcome.inputs))     # the gate's warnings on today's actuals and inputs
    return page(f"Surge re-plan {day.now:%Y-%m-%d %H:%M}", body)
