"""A queue's service goal as the site YAML states it, and the staffing model it asks for."""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from common.errors import InputError

CHANNELS = ("voice", "chat", "email")
MODELS = ("erlang_c", "erlang_a", "backlog")
SL_CONVENTIONS = ("offered", "answered", "offered_minus_short_abandons")
DEADLINE_CLOCKS = ("open_hours", "calendar")
HANDLE_DISTRIBUTIONS = ("exponential", "lognormal", "deterministic")


@dataclass(frozen=True)
class ServiceGoal:
    """What 'good service' means for one queue.

    service_level / target_s: share of contacts answered within target_s seconds.
    asa_s: optional average speed of answer ceiling (mean wait over all arrivals).
    max_occupancy: optional ceiling on the share of time agents are busy
        (chat: the share of chat slots in use).
    max_abandon: optional ceiling on the abandon rate (Erlang A only).
    patience_s: mean caller patience; when set the queue is modelled with Erlang A.
    concurrency: contacts one agent handles at once (chat).

    sl_convention: how service level counts abandoned contacts (they only exist
        with patience_s): "offered" = answered within target ÷ offered (default);
        "answered" = answered within target ÷ answered; "offered_minus_short_abandons"
        = answered within target ÷ (offered − abandoned within short_abandon_s).
    short_abandon_s: hang-ups within this many seconds are "short abandons".
    concurrency_slowdown: chat only; each extra simultaneous chat makes every chat
        of that agent take this share longer (0.2 → 2 chats take 1.2× as long each).
        The forecast's aht_s is the chat duration at full concurrency.
    deadline_s / deadline_share / deadline_final_s / deadline_clock: email, tickets,
        complaints: deadline_share of contacts answered within deadline_s (the rest
        within deadline_final_s, default 2 × deadline_s), with backlog carried from
        interval to interval. The clock counts open hours only ("open_hours",
        default) or wall-clock time ("calendar"). Setting deadline_s selects the
        backlog model instead of a queueing formula.
    uncertainty_level: staff so that the probability of meeting the service level,
        given the forecast's uncertainty (contacts_lo/hi), is at least this.
    after_call_s: seconds an agent is unavailable after each contact before taking
        the next (wrap-up, short pauses); staffing uses aht + after_call_s.
        `run_schedule.py calibrate` measures it from call records.
    handle_distribution / handle_cv: the handle-time distribution the simulated
        service level uses (exponential, lognormal with coefficient of variation
        handle_cv, or deterministic); the formulas assume exponential.
    """

    service_level: float | None = 0.8
    target_s: float | None = 20.0
    asa_s: float | None = None
    max_occupancy: float | None = None
    max_abandon: float | None = None
    patience_s: float | None = None
    concurrency: int = 1
    sl_convention: str = "offered"
    short_abandon_s: float | None = None
    concurrency_slowdown: float = 0.0
    deadline_s: float | None = None
    deadline_share: float | None = None
    deadline_final_s: float | None = None
    deadline_clock: str = "open_hours"
    uncertainty_level: float | None = None
    after_call_s: float = 0.0
    handle_distribution: str = "exponential"
    handle_cv: float | None = None

    @property
    def model(self) -> str:
        if self.deadline_s:
            return "backlog"
        return "erlang_a" if self.patience_s else "erlang_c"


def _number(raw: dict, key: str, where: str, low: float, high: float | None = None,
            integer: bool = False) -> float | None:
    if key not in raw or raw[key] is None:
        return None
    value = raw[key]
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise InputError(f"{where}.{key}", f"{value!r} is not a number", f"write a number for '{key}'")
    if integer and float(value) != int(value):
        raise InputError(f"{where}.{key}", f"{value!r} is not a whole number", f"'{key}' must be a whole number")
    if value < low or (high is not None and value > high):
        bounds = f"between {low:g} and {high:g}" if high is not None else f"at least {low:g}"
        raise InputError(f"{where}.{key}", f"{value!r} is out of range", f"'{key}' must be {bounds}")
    return float(value)


def _choice(raw: dict, key: str, where: str, choices: tuple[str, ...], default: str) -> str:
    value = raw.get(key, default)
    if value is None:
        return default
    if value not in choices:
        raise InputError(f"{where}.{key}", f"unknown value {value!r}", f"use one of: {', '.join(choices)}")
    return str(value)


KNOWN_KEYS = {
    "service_level", "target_s", "asa_s", "max_occupancy", "max_abandon", "patience_s", "concurrency",
    "sl_convention", "short_abandon_s", "concurrency_slowdown", "deadline_s", "deadline_share",
    "deadline_final_s", "deadline_clock", "uncertainty_level", "after_call_s", "handle_distribution", "handle_cv",
}


def parse_service_goal(raw: Any, where: str) -> ServiceGoal:
    """Build a ServiceGoal from its YAML mapping, naming the key that is wrong."""
    if not isinstance(raw, dict):
        raise InputError(where, "the service goal must be a mapping",
                         "write e.g. {service_level: 0.8, target_s: 20}")
    unknown = sorted(set(raw) - KNOWN_KEYS)
    if unknown:
        raise InputError(f"{where}.{unknown[0]}", "unknown service-goal setting",
                         f"use only: {', '.join(sorted(KNOWN_KEYS))}")
    goal = ServiceGoal(
        service_level=_number(raw, "service_level", where, 0.0, 1.0),
        target_s=_number(raw, "target_s", where, 0.0),
        asa_s=_number(raw, "asa_s", where, 0.0),
        max_occupancy=_number(raw, "max_occupancy", where, 0.01, 1.0),
        max_abandon=_number(raw, "max_abandon", where, 0.0, 1.0),
        patience_s=_number(raw, "patience_s", where, 0.001),
        concurrency=int(_number(raw, "concurrency", where, 1, 50, integer=True) or 1),
        sl_convention=_choice(raw, "sl_convention", where, SL_CONVENTIONS, "offered"),
        short_abandon_s=_number(raw, "short_abandon_s", where, 0.0),
        concurrency_slowdown=_number(raw, "concurrency_slowdown", where, 0.0, 5.0) or 0.0,
        deadline_s=_number(raw, "deadline_s", where, 1.0),
        deadline_share=_number(raw, "deadline_share", where, 0.01, 1.0),
        deadline_final_s=_number(raw, "deadline_final_s", where, 1.0),
        deadline_clock=_choice(raw, "deadline_clock", where, DEADLINE_CLOCKS, "open_hours"),
        uncertainty_level=_number(raw, "uncertainty_level", where, 0.5, 0.999),
        after_call_s=_number(raw, "after_call_s", where, 0.0, 3600.0) or 0.0,
        handle_distribution=_choice(raw, "handle_distribution", where, HANDLE_DISTRIBUTIONS, "exponential"),
        handle_cv=_number(raw, "handle_cv", where, 0.01, 20.0),
    )
    if goal.handle_distribution == "lognormal" and goal.handle_cv is None:
        raise InputError(f"{where}.handle_distribution", "lognormal handle times need their spread",
                         "add handle_cv (coefficient of variation, e.g. 1.2), or handle_cv: auto from a calibration")
    if goal.deadline_s is not None:
        _check_deadline_goal(goal, raw, where)
        share = goal.deadline_share if goal.deadline_share is not None else 1.0
        # service_level/target_s keep their meaning (share answered within target_s)
        # so reports read any goal the same way.
        return replace(goal, service_level=share, target_s=goal.deadline_s, deadline_share=share,
                       deadline_final_s=goal.deadline_final_s or 2.0 * goal.deadline_s)
    for key in ("deadline_share", "deadline_final_s", "deadline_clock"):
        if key in raw:
            raise InputError(f"{where}.{key}", "is a deadline setting but the goal has no deadline_s",
                             "add deadline_s (email/backlog queues) or remove this key")
    if (goal.service_level is None) != (goal.target_s is None):
        raise InputError(where, "service_level and target_s go together",
                         "give both (e.g. service_level: 0.8, target_s: 20) or neither")
    if goal.service_level is not None and goal.service_level >= 1.0:
        raise InputError(f"{where}.service_level", "1 (every contact answered within the target) is unreachable: "
                         "with random arrivals some contacts always wait longer, whatever the staffing",
                         "use a share below 1, e.g. service_level: 0.95")
    if goal.max_abandon is not None and goal.max_abandon <= 0.0:
        raise InputError(f"{where}.max_abandon", "0 (no caller ever hangs up) is unreachable while callers wait at all",
                         "use a share above 0, e.g. max_abandon: 0.03")
    if goal.service_level is None and goal.asa_s is None and goal.max_abandon is None:
        raise InputError(where, "no target: the goal needs service_level/target_s, asa_s or max_abandon",
                         "add e.g. service_level: 0.8 and target_s: 20")
    if goal.max_abandon is not None and goal.patience_s is None:
        raise InputError(f"{where}.max_abandon", "an abandonment target needs the callers' patience",
                         "add patience_s (mean seconds a caller waits before hanging up)")
    if goal.sl_convention == "offered_minus_short_abandons" and not goal.short_abandon_s:
        raise InputError(f"{where}.sl_convention", "this convention needs the short-abandon threshold",
                         "add short_abandon_s (e.g. 5)")
    if goal.concurrency_slowdown and goal.concurrency == 1:
        raise InputError(f"{where}.concurrency_slowdown", "only applies to chat (concurrency above 1)",
                         "remove it or set concurrency")
    return goal


def _check_deadline_goal(goal: ServiceGoal, raw: dict, where: str) -> None:
    """A deadline goal replaces the queueing targets: refuse a mix that would be ignored."""
    clash = [k for k in ("service_level", "target_s", "asa_s", "max_abandon", "patience_s", "max_occupancy",
                         "sl_convention", "short_abandon_s", "concurrency_slowdown", "handle_distribution",
                         "handle_cv") if k in raw]
    if clash:
        raise InputError(f"{where}.{clash[0]}", "does not apply to a deadline (backlog) goal",
                         "for email/tickets state deadline_s and deadline_share only")
    if goal.concurrency != 1:
        raise InputError(f"{where}.concurrency", "does not apply to a deadline (backlog) goal",
                         "remove concurrency")
    if goal.deadline_final_s is not None and goal.deadline_final_s < goal.deadline_s:
        raise InputError(f"{where}.deadline_final_s", "is shorter than deadline_s",
                         "the final deadline for the late share must be at least deadline_s")
