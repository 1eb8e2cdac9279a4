"""A queue's service goal as the site YAML states it, and the staffing model it asks for."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from common.errors import InputError

CHANNELS = ("voice", "chat", "email")
MODELS = ("erlang_c", "erlang_a")


@dataclass(frozen=True)
class ServiceGoal:
    """What 'good service' means for one queue.

    service_level / target_s: share of contacts answered within target_s seconds.
    asa_s: optional average speed of answer ceiling.
    max_occupancy: optional ceiling on the share of time agents are busy.
    max_abandon: optional ceiling on the abandon rate (Erlang A only).
    patience_s: mean caller patience; when set the queue is modelled with Erlang A.
    concurrency: contacts one agent handles at once (chat).
    """

    service_level: float | None = 0.8
    target_s: float | None = 20.0
    asa_s: float | None = None
    max_occupancy: float | None = None
    max_abandon: float | None = None
    patience_s: float | None = None
    concurrency: int = 1

    @property
    def model(self) -> str:
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


def parse_service_goal(raw: Any, where: str) -> ServiceGoal:
    """Build a ServiceGoal from its YAML mapping, naming the key that is wrong."""
    if not isinstance(raw, dict):
        raise InputError(where, "the service goal must be a mapping",
                         "write e.g. {service_level: 0.8, target_s: 20}")
    known = {"service_level", "target_s", "asa_s", "max_occupancy", "max_abandon", "patience_s", "concurrency"}
    unknown = sorted(set(raw) - known)
    if unknown:
        raise InputError(f"{where}.{unknown[0]}", "unknown service-goal setting",
                         f"use only: {', '.join(sorted(known))}")
    goal = ServiceGoal(
        service_level=_number(raw, "service_level", where, 0.0, 1.0),
        target_s=_number(raw, "target_s", where, 0.0),
        asa_s=_number(raw, "asa_s", where, 0.0),
        max_occupancy=_number(raw, "max_occupancy", where, 0.01, 1.0),
        max_abandon=_number(raw, "max_abandon", where, 0.0, 1.0),
        patience_s=_number(raw, "patience_s", where, 0.001),
        concurrency=int(_number(raw, "concurrency", where, 1, 50, integer=True) or 1),
    )
    if (goal.service_level is None) != (goal.target_s is None):
        raise InputError(where, "service_level and target_s go together",
                         "give both (e.g. service_level: 0.8, target_s: 20) or neither")
    if goal.service_level is None and goal.asa_s is None and goal.max_abandon is None:
        raise InputError(where, "no target: the goal needs service_level/target_s, asa_s or max_abandon",
                         "add e.g. service_level: 0.8 and target_s: 20")
    if goal.max_abandon is not None and goal.patience_s is None:
        raise InputError(f"{where}.max_abandon", "an abandonment target needs the callers' patience",
                         "add patience_s (mean seconds a caller waits before hanging up)")
    return goal
