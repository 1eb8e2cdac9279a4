"""`run_schedule.py erlang`: the analyst's Erlang calculator on the command line.

Either give the staffing (--agents) and read the metrics, or give a goal and
read the agents required and the metrics there. --patience-s switches from
Erlang C to Erlang A; --concurrency > 1 uses the chat slot model.
"""
from __future__ import annotations

import argparse
import json
import math

import numpy as np

from common.errors import InputError
from rules.service_goal import SL_CONVENTIONS, ServiceGoal
from scheduler.staffing import models
from scheduler.staffing.erlang_c import offered_load

DEFAULT_TARGET_S = 20.0


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "erlang", help="Erlang C / Erlang A calculator: metrics for a staffing, or agents for a goal",
        description="Metrics for a given number of agents (--agents), or the agents required for a goal "
                    "(--sl/--target-s, --asa-s, --max-abandon, --max-occupancy) and the metrics there. "
                    "Offered load = calls x AHT / interval. --patience-s switches to Erlang A.")
    p.add_argument("--calls", type=float, required=True, help="contacts arriving in the interval")
    p.add_argument("--interval-s", type=float, default=1800.0, help="interval length in seconds (default 1800)")
    p.add_argument("--aht-s", type=float, required=True, help="average handle time in seconds")
    p.add_argument("--agents", type=float, help="agents on the phones: report the metrics for this staffing")
    p.add_argument("--sl", type=float, help="service-level target, a share (e.g. 0.8)")
    p.add_argument("--target-s", type=float,
                   help=f"service-level target time in seconds (default {DEFAULT_TARGET_S:g})")
    p.add_argument("--asa-s", type=float, help="average speed of answer ceiling in seconds")
    p.add_argument("--max-abandon", type=float, help="abandon-rate ceiling, a share (needs --patience-s)")
    p.add_argument("--max-occupancy", type=float, help="occupancy ceiling, a share (e.g. 0.85)")
    p.add_argument("--patience-s", type=float, help="mean caller patience in seconds: use Erlang A")
    p.add_argument("--sl-convention", choices=SL_CONVENTIONS, default="offered",
                   help="how abandoned calls count in the service level (Erlang A)")
    p.add_argument("--short-abandon-s", type=float, help="hang-ups within this many seconds are short abandons")
    p.add_argument("--concurrency", type=int, default=1, help="chats per agent (chat slot model)")
    p.add_argument("--slowdown", type=float, default=0.0,
                   help="chat: share each extra simultaneous chat adds to every chat's duration")
    p.add_argument("--json", action="store_true", help="print one JSON object with every metric")
    p.set_defaults(func=run)


def _check(args: argparse.Namespace) -> None:
    def bad(flag: str, problem: str, fix: str) -> InputError:
        return InputError(f"--{flag}", problem, fix)

    finite = lambda v: v is None or math.isfinite(v)  # noqa: E731
    for flag in ("calls", "interval_s", "aht_s", "agents", "sl", "target_s", "asa_s", "max_abandon",
                 "max_occupancy", "patience_s", "short_abandon_s", "slowdown"):
        if not finite(getattr(args, flag)):
            raise bad(flag.replace("_", "-"), "is not a finite number", "give a number")
    if args.calls < 0:
        raise bad("calls", f"{args.calls:g} is negative", "give the number of contacts, 0 or more")
    if args.interval_s <= 0:
        raise bad("interval-s", f"{args.interval_s:g} is not positive", "e.g. 900 or 1800")
    if args.aht_s <= 0:
        raise bad("aht-s", f"{args.aht_s:g} is not positive", "give the average handle time in seconds, above 0")
    if args.agents is not None and (args.agents < 0 or args.agents != int(args.agents)):
        raise bad("agents", f"{args.agents:g} is not a whole number ≥ 0", "give a whole number of agents")
    for flag in ("sl", "max_abandon"):
        v = getattr(args, flag)
        if v is not None and not 0.0 <= v <= 1.0:
            raise bad(flag.replace("_", "-"), f"{v:g} is not a share between 0 and 1", "e.g. 0.8")
    if args.sl is not None and args.sl >= 1.0:
        raise bad("sl", f"{args.sl:g} (every contact answered within the target) is unreachable: with random "
                  "arrivals some contacts always wait longer, so no number of agents meets it",
                  "give a share below 1, e.g. --sl 0.95")
    if args.max_abandon is not None and args.max_abandon <= 0.0:
        raise bad("max-abandon", f"{args.max_abandon:g} (no caller ever hangs up) is unreachable: with patience "
                  "some callers abandon whatever the staffing", "give a share above 0, e.g. --max-abandon 0.02")
    if args.max_occupancy is not None and not 0.0 < args.max_occupancy <= 1.0:
        raise bad("max-occupancy", f"{args.max_occupancy:g} is not a share in (0, 1]", "e.g. 0.85")
    for flag in ("target_s", "asa_s", "short_abandon_s", "slowdown"):
        v = getattr(args, flag)
        if v is not None and v < 0:
            raise bad(flag.replace("_", "-"), f"{v:g} is negative", "give 0 or more")
    if args.asa_s is not None and args.asa_s == 0:
        raise bad("asa-s", "an ASA of 0 s needs infinitely many agents", "give a positive ASA target")
    if args.patience_s is not None and args.patience_s <= 0:
        raise bad("patience-s", f"{args.patience_s:g} is not positive", "give the mean patience in seconds")
    if args.concurrency < 1:
        raise bad("concurrency", f"{args.concurrency} is below 1", "give the chats one agent handles at once")
    if args.max_abandon is not None and args.patience_s is None:
        raise bad("max-abandon", "an abandonment target needs the callers' patience", "add --patience-s")
    if args.sl_convention == "offered_minus_short_abandons" and not args.short_abandon_s:
        raise bad("sl-convention", "this convention needs the short-abandon threshold", "add --short-abandon-s")
    goal_given = any(getattr(args, f) is not None for f in ("sl", "asa_s", "max_abandon", "max_occupancy"))
    if args.agents is None and not goal_given:
        raise InputError("erlang", "neither --agents nor a goal was given",
                         "add --agents N, or a goal such as --sl 0.8 --target-s 20")
    if args.agents is not None and goal_given:
        raise InputError("erlang", "--agents and a goal were both given",
                         "give --agents to evaluate a staffing, or a goal to find the agents, not both")
    if args.agents is None and args.sl is None and args.asa_s is None and args.max_abandon is None:
        raise InputError("erlang", "--max-occupancy alone is not a service goal",
                         "add --sl/--target-s, --asa-s or --max-abandon")


def _goal(args: argparse.Namespace) -> ServiceGoal:
    target = args.target_s if args.target_s is not None else DEFAULT_TARGET_S
    return ServiceGoal(service_level=args.sl, target_s=target, asa_s=args.asa_s,
                       max_occupancy=args.max_occupancy, max_abandon=args.max_abandon,
                       patience_s=args.patience_s, concurrency=args.concurrency, sl_convention=args.sl_convention,
                       short_abandon_s=args.short_abandon_s, concurrency_slowdown=args.slowdown)


def calculate(args: argparse.Namespace) -> dict[str, float | int | str | None]:
    """Every metric for the arguments, as plain numbers (None where infinite)."""
    _check(args)
    goal = _goal(args)
    calls, aht = np.array([args.calls]), np.array([args.aht_s])
    load = float(offered_load(calls, aht, args.interval_s)[0])
    if args.agents is None:
        agents = int(models.agents_required(calls, aht, args.interval_s, goal)[0]) if args.calls > 0 else 0
    else:
        agents = int(args.agents)
        if args.patience_s is None and load > 0 and agents * args.concurrency <= load:
            raise InputError("--agents", f"{agents} agents cannot carry an offered load of {load:.3f} Erlangs "
                             "without abandonment (the queue grows without end)",
                             f"give more than {load / args.concurrency:.3f} agents, or add --patience-s for Erlang A")
    m = models.metrics(calls, aht, args.interval_s, np.array([float(agents)]), goal)
    out: dict[str, float | int | str | None] = {
        "model": models.model_name(goal), "calls": args.calls, "interval_s": args.interval_s, "aht_s": args.aht_s,
        "agents": agents, "offered_load": load, "target_s": goal.target_s,
    }
    for key in ("prob_wait", "service_level", "asa_s", "occupancy"):
        out[key] = float(m[key][0])
    if args.patience_s is not None:
        out["prob_abandon"] = float(m["prob_abandon"][0])
        out["patience_s"] = args.patience_s
        out["sl_convention"] = goal.sl_convention
    if args.concurrency > 1:
        out["concurrency"] = args.concurrency
    return {k: (None if isinstance(v, float) and not math.isfinite(v) else v) for k, v in out.items()}


def run(args: argparse.Namespace) -> int:
    result = calculate(args)
    if args.json:
        print(json.dumps(result, sort_keys=False))
        return 0
    label = {"erlang_c": "Erlang C", "erlang_a": "Erlang A"}.get(str(result["model"]), str(result["model"]))
    lines = [
        f"model           {label}",
        f"offered load    {result['offered_load']:.3f} Erlangs",
        f"agents          {result['agents']}" + ("  (required for the goal)" if args.agents is None else ""),
        f"P(wait)         {result['prob_wait']:.4f}",
        f"service level   {result['service_level']:.4f} within {result['target_s']:g} s",
        f"ASA             {result['asa_s']:.2f} s" if result["asa_s"] is not None else "ASA             inf",
        f"occupancy       {result['occupancy']:.4f}",
    ]
    if "prob_abandon" in result:
        lines.append(f"P(abandon)      {result['prob_abandon']:.4f}")
    print("\n".join(lines))
    return 0
