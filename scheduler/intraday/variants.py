"""The shifts an intraday policy adds to today: extended, shortened and call-in shifts as template variants.

A variant is a shift template of its own in a changed copy of the site (inputs
are values), so every rule, checker and cost that reads templates sees it:
`D8+60` is D8 an hour longer with D8's breaks, `D8-120` ends two hours early
and keeps the breaks that still fit, `CALL240` is a four-hour call-in shift.
Contracts allow the variants of their own templates and every call-in; their
weekly maximum becomes the policy's legal weekly limit (overtime exceeds the
contract by definition) and, with voluntary time off, their minimum is zero
(time off asked for by the agent is unpaid, not a breach of contract).
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import replace
from zoneinfo import ZoneInfo

from rules.base import RosterShift, Shift
from rules.site import Agent, BreakSpec, Site, ShiftTemplate, TimeOff
from scheduler.intraday.policy import IntradayPolicy
from scheduler.roster.week import hours_on, local_time

CALL_IN = "CALL"
CALL_IN_BREAK = BreakSpec("break", 15, True, 75, 10_000)
_VARIANT = re.compile(r"^(?P<parent>.+?)(?P<sign>[+-])(?P<minutes>\d+)$")


def _plus(moment: dt.datetime, minutes: int) -> dt.datetime:
    return (moment.astimezone(dt.timezone.utc) + dt.timedelta(minutes=minutes)).astimezone(moment.tzinfo)


def _fitting(breaks: tuple[BreakSpec, ...], length_min: int) -> tuple[BreakSpec, ...]:
    """Breaks whose window still lies inside a shift of this length (with 15 minutes to spare)."""
    kept = []
    for spec in breaks:
        latest = min(spec.latest_after_min, length_min - spec.length_min - 15)
        if latest >= spec.earliest_after_min:
            kept.append(replace(spec, latest_after_min=latest))
    return tuple(kept)


def variant_template(site: Site, template_id: str) -> ShiftTemplate | None:
    """The template behind a variant id (`D8+60`, `D8-120`, `CALL240`), or None if it is not one."""
    if template_id.startswith(CALL_IN) and template_id[len(CALL_IN):].isdigit():
        length = int(template_id[len(CALL_IN):])
        breaks = (replace(CALL_IN_BREAK, latest_after_min=length - 90),) if length >= 240 else ()
        return ShiftTemplate(template_id, f"Call-in {length / 60:g}h", length, 0, 24 * 60, site.interval_min,
                             breaks, parent=CALL_IN)
    match = _VARIANT.match(template_id)
    if not match or match["parent"] not in {t.id for t in site.shift_templates}:
        return None
    parent = site.template(match["parent"])
    delta = int(match["minutes"]) * (1 if match["sign"] == "+" else -1)
    length = parent.length_min + delta
    if length <= 0:
        return None
    breaks = parent.breaks if delta > 0 else _fitting(parent.breaks, length)
    return replace(parent, id=template_id, name=f"{parent.name} {match['sign']}{match['minutes']} min",
                   length_min=length, breaks=breaks, parent=parent.id)


def with_variants(site: Site, template_ids: set[str], policy: IntradayPolicy) -> Site:
    """A copy of the site that knows these variant templates, with contracts opened to them."""
    known = {t.id for t in site.shift_templates}
    added = [variant_template(site, t) for t in sorted(template_ids - known)]
    added = [t for t in added if t is not None]
    contracts = []
    for contract in site.contracts:
        allowed = set(contract.shift_templates)
        mine = [t.id for t in added if t.parent in allowed or t.parent == CALL_IN]
        most = max(contract.max_hours_week, policy.extend_shift.max_hours_week) if policy.extend_shift.enabled \
            else contract.max_hours_week
        least = 0.0 if policy.voluntary_time_off.enabled else contract.min_hours_week
        contracts.append(replace(contract, shift_templates=contract.shift_templates + tuple(mine),
                                 min_hours_week=least, max_hours_week=most))
    return replace(site, shift_templates=site.shift_templates + tuple(added), contracts=tuple(contracts))


def with_deferrable_activities(site: Site, policy: IntradayPolicy) -> Site:
    """A copy of the site whose training and meeting rules accept a deferral at the policy's price."""
    if not policy.defer_training.enabled:
        return site
    specs = tuple(replace(spec, params=spec.params | {"deferrable_cost": policy.defer_training.cost})
                  if spec.kind == "activity" else spec for spec in site.rule_specs)
    return replace(site, rule_specs=specs)


def _shift(template_id: str, date: dt.date, start: dt.datetime, minutes: int) -> Shift:
    return Shift(template_id, date, start, _plus(start, minutes))


def today_options(site: Site, agents: list[Agent], time_off: list[TimeOff], reference: dict[str, RosterShift],
                  date: dt.date, now: dt.datetime, policy: IntradayPolicy,
                  time_off_offered: set[str] = frozenset()) -> dict[tuple[str, dt.date], tuple[Shift, ...]]:
    """Per agent, the variant shifts the policy allows today (staying as published is always allowed too);
    voluntary time off only for the agents in `time_off_offered`."""
    tz = ZoneInfo(site.timezone)
    hours = hours_on(site.opening_hours, date)
    if hours is None:
        return {}
    close = local_time(date, hours.close_min, tz)
    step = site.interval_min
    off = {(t.agent_id, t.date) for t in time_off}
    out: dict[tuple[str, dt.date], tuple[Shift, ...]] = {}
    extend, vto, call = policy.extend_shift, policy.voluntary_time_off, policy.call_in
    # Shifts keep to the interval grid (the roster model counts whole intervals): steps round up to it.
    on_grid = lambda minutes: -(-minutes // step) * step     # noqa: E731
    for agent in agents:
        ref = reference.get(agent.agent_id)
        options: list[Shift] = []
        if ref is not None:
            shift, base = ref.shift, ref.shift.template_id
            if extend.enabled and shift.end >= _plus(now, extend.notice_min):
                for extra in range(on_grid(extend.step_min), extend.max_overtime_min + 1, on_grid(extend.step_min)):
                    if _plus(shift.end, extra) <= close:
                        options.append(_shift(f"{base}+{extra}", date, shift.start, shift.minutes + extra))
            if vto.enabled and agent.agent_id in time_off_offered:
                earliest_end = max(_plus(now, vto.notice_min), _plus(shift.start, round(vto.min_hours_worked * 60)))
                for cut in range(on_grid(vto.step_min), shift.minutes, on_grid(vto.step_min)):
                    if _plus(shift.end, -cut) >= earliest_end:
                        options.append(_shift(f"{base}-{cut}", date, shift.start, shift.minutes - cut))
        elif call.enabled and (agent.agent_id, date) not in off:
            first = _plus(now, call.notice_min)
            for start_min in range(hours.open_min, hours.close_min, step):
                start = local_time(date, start_min, tz)
                if start < first:
                    continue
                for length in range(on_grid(round(call.min_hours * 60)), round(call.max_hours * 60) + 1, on_grid(60)):
                    if _plus(start, length) <= close:
                        options.append(_shift(f"{CALL_IN}{length}", date, start, length))
        if options:
            out[(agent.agent_id, date)] = tuple(options)
    return out
