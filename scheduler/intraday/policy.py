"""The site YAML's `intraday:` section: which changes a supervisor may make today, at what cost and notice.

Every kind of change has a cost (money, the site's currency), a notice time
(how long after `now` it can take effect at the earliest) and a cap. Left out,
a kind takes the defaults below; `enabled: false` switches it off.

    intraday:
      move_break:         {cost: 2, notice_min: 15, max_per_agent_day: 2}
      extend_shift:       {cost: 5, overtime_premium: 0.5, notice_min: 60, max_overtime_min: 120,
                           step_min: 30, max_hours_week: 48}
      call_in:            {cost: 20, premium: 0.5, notice_min: 120, min_hours: 3, max_hours: 6}
      move_skill:         {cost_per_hour: 1, notice_min: 15}
      voluntary_time_off: {cost: 1, notice_min: 30, step_min: 60, min_hours_worked: 2}
      defer_training:     {cost: 15}      # a training or meeting session dropped from today, to be rebooked

A break, lunch or training may move inside its own window (move_break); a session
that has not started by now + the shortest notice may instead be deferred.
"""
from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

from common.errors import InputError
from rules.stability import ChangePrices


@dataclass(frozen=True)
class MoveBreak:
    enabled: bool = True
    cost: float = 2.0
    notice_min: int = 15
    max_per_agent_day: int = 2


@dataclass(frozen=True)
class ExtendShift:
    enabled: bool = True
    cost: float = 5.0
    overtime_premium: float = 0.5       # overtime pays the hourly rate × (1 + premium)
    notice_min: int = 60                # before the shift's published end
    max_overtime_min: int = 120         # per agent and day
    step_min: int = 30
    max_hours_week: float = 48.0        # the legal weekly limit overtime may reach (contract hours are exceeded)


@dataclass(frozen=True)
class CallIn:
    enabled: bool = True
    cost: float = 20.0
    premium: float = 0.5
    notice_min: int = 120
    min_hours: float = 3.0
    max_hours: float = 6.0


@dataclass(frozen=True)
class MoveSkill:
    enabled: bool = True
    cost_per_hour: float = 1.0
    notice_min: int = 15


@dataclass(frozen=True)
class VoluntaryTimeOff:
    enabled: bool = True
    cost: float = 1.0
    notice_min: int = 30
    step_min: int = 60
    min_hours_worked: float = 2.0       # an early finish leaves at least this much of the shift worked


@dataclass(frozen=True)
class DeferTraining:
    enabled: bool = True
    cost: float = 15.0                  # per session of training, coaching or a meeting moved out of the week


@dataclass(frozen=True)
class IntradayPolicy:
    move_break: MoveBreak = MoveBreak()
    extend_shift: ExtendShift = ExtendShift()
    call_in: CallIn = CallIn()
    move_skill: MoveSkill = MoveSkill()
    voluntary_time_off: VoluntaryTimeOff = VoluntaryTimeOff()
    defer_training: DeferTraining = DeferTraining()

    @property
    def freeze_min(self) -> int:
        """Nothing starting sooner than this after `now` changes: the shortest notice of any enabled kind."""
        kinds = [getattr(self, f.name) for f in fields(self)]
        return min((k.notice_min for k in kinds if k.enabled and hasattr(k, "notice_min")), default=0)

    def prices(self) -> ChangePrices:
        b, e, c, v = self.move_break, self.extend_shift, self.call_in, self.voluntary_time_off
        return ChangePrices(move_break=b.cost, max_moves_per_day=b.max_per_agent_day if b.enabled else 0,
                            extend_fixed=e.cost, overtime_premium=e.overtime_premium,
                            max_overtime_min=e.max_overtime_min if e.enabled else 0,
                            call_in_fixed=c.cost, call_in_premium=c.premium,
                            call_in_min_min=round(c.min_hours * 60), call_in_max_min=round(c.max_hours * 60),
                            time_off_fixed=v.cost)


def _parse_kind(cls: type, raw: Any, where: str) -> Any:
    if raw is None:
        return cls()
    if not isinstance(raw, dict):
        raise InputError(where, f"{raw!r} is not a mapping of settings", f"write e.g. {where.split('.')[-1]}: {{cost: 5}}")
    known = {f.name: f for f in fields(cls)}
    values = {}
    for key, value in raw.items():
        if key not in known:
            raise InputError(f"{where}.{key}", f"unknown setting '{key}'", f"use one of: {', '.join(known)}")
        default = known[key].default
        if isinstance(default, bool):
            if not isinstance(value, bool):
                raise InputError(f"{where}.{key}", f"{value!r} is not true or false", f"write {key}: true or false")
        elif isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
            raise InputError(f"{where}.{key}", f"{value!r} is not a number of zero or more", f"write e.g. {key}: {default}")
        elif isinstance(default, int) and float(value) != int(value):
            raise InputError(f"{where}.{key}", f"{value!r} is not a whole number", f"write e.g. {key}: {default}")
        values[key] = type(default)(value)
    return cls(**values)


def parse_policy(raw: Any, where: str = "site.yaml intraday") -> IntradayPolicy:
    """Validate the raw `intraday:` section (None means all defaults); unknown change kinds are refused."""
    if raw is None:
        return IntradayPolicy()
    if not isinstance(raw, dict):
        raise InputError(where, f"{raw!r} is not a mapping of change kinds", "write intraday: {extend_shift: {...}, ...}")
    kinds = {f.name: f.default.__class__ for f in fields(IntradayPolicy)}
    for key in raw:
        if key not in kinds:
            raise InputError(f"{where}.{key}", f"unknown change kind '{key}'", f"use one of: {', '.join(kinds)}")
    policy = IntradayPolicy(**{key: _parse_kind(cls, raw.get(key), f"{where}.{key}") for key, cls in kinds.items()})
    c = policy.call_in
    if c.min_hours > c.max_hours:
        raise InputError(f"{where}.call_in.min_hours", f"{c.min_hours:g} h is above max_hours {c.max_hours:g}",
                         "make min_hours at most max_hours")
    for key in ("extend_shift", "voluntary_time_off"):
        if getattr(policy, key).step_min == 0:
            raise InputError(f"{where}.{key}.step_min", "a step of 0 minutes", "use e.g. step_min: 30")
    return policy
