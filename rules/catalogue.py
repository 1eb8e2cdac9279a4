"""The rule catalogue: YAML rule names to rule classes, and the full rule set for a site."""
from __future__ import annotations

from dataclasses import replace

from common.errors import InputError
from rules.activities import ScheduledActivity
from rules.coupling import MaxConcurrentActivity, MinAgentsPresent
from rules.fairness import Fairness
from rules.base import Penalty, RosterView, Rule, Violation, parse_scope
from rules.max_consecutive_days import MaxConsecutiveDays
from rules.min_consecutive_days import MinConsecutiveDays
from rules.min_consecutive_days_off import MinConsecutiveDaysOff
from rules.min_days_off import MinDaysOffPerWeek
from rules.min_rest import MinRestBetweenShifts
from rules.preferences import Preferences
from rules.shift_type_limits import ForbiddenSuccession, MaxShiftsOfTypePerWeek
from rules.shifts_per_period import ShiftsPerPeriod
from rules.site import Site, TimeOff
from rules.structural import structural_rules
from rules.weekends import CompleteWeekends, MaxWeekendsWorked

CATALOGUE: dict[str, type[Rule]] = {
    cls.kind: cls for cls in (MinRestBetweenShifts, MaxConsecutiveDays, MinDaysOffPerWeek,
                              MaxShiftsOfTypePerWeek, ForbiddenSuccession, MinConsecutiveDays,
                              MinConsecutiveDaysOff, MaxWeekendsWorked, CompleteWeekends, ShiftsPerPeriod,
                              Preferences, Fairness, ScheduledActivity, MaxConcurrentActivity, MinAgentsPresent)
}


def configured_rules(site: Site) -> list[Rule]:
    """Instantiate the YAML rules, each validating its own settings and references."""
    rules = []
    seen: dict[str, int] = {}
    for spec in site.rule_specs:
        cls = CATALOGUE.get(spec.kind)
        if cls is None:
            raise InputError(f"{spec.where}.rule", f"unknown rule '{spec.kind}'",
                             f"use one of: {', '.join(sorted(CATALOGUE))}")
        rule = cls(spec, site)
        rule.scope = parse_scope(spec, site)
        seen[spec.kind] = seen.get(spec.kind, 0) + 1
        rule.entry = f"#{seen[spec.kind]}" if seen[spec.kind] > 1 else ""
        rules.append(rule)
    return rules


def site_rules(site: Site, time_off: list[TimeOff]) -> list[Rule]:
    """Every rule a roster for this site must satisfy: structural ones first, then the YAML ones."""
    return structural_rules(site, time_off) + configured_rules(site)


def hard_violations(rules: list[Rule], roster: RosterView) -> list[Violation]:
    """Every broken hard constraint of the roster, rule by rule."""
    return [v for rule in rules for v in rule.check(roster)]


def soft_penalties(rules: list[Rule], roster: RosterView) -> list[Penalty]:
    """Every penalty the soft rules charge the roster; their amounts add up to the rules' share of the objective."""
    return [replace(p, rule=p.rule + rule.entry) if rule.entry else p for rule in rules for p in rule.penalties(roster)]
