"""The rule catalogue: YAML rule names to rule classes, and the full rule set for a site."""
from __future__ import annotations

from common.errors import InputError
from rules.base import Rule
from rules.max_consecutive_days import MaxConsecutiveDays
from rules.min_days_off import MinDaysOffPerWeek
from rules.min_rest import MinRestBetweenShifts
from rules.shift_type_limits import ForbiddenSuccession, MaxShiftsOfTypePerWeek
from rules.site import Site, TimeOff
from rules.structural import structural_rules

CATALOGUE: dict[str, type[Rule]] = {
    cls.kind: cls for cls in (MinRestBetweenShifts, MaxConsecutiveDays, MinDaysOffPerWeek,
                              MaxShiftsOfTypePerWeek, ForbiddenSuccession)
}


def configured_rules(site: Site) -> list[Rule]:
    """Instantiate the YAML rules, each validating its own settings and references."""
    rules = []
    for spec in site.rule_specs:
        cls = CATALOGUE.get(spec.kind)
        if cls is None:
            raise InputError(f"{spec.where}.rule", f"unknown rule '{spec.kind}'",
                             f"use one of: {', '.join(sorted(CATALOGUE))}")
        rules.append(cls(spec, site))
    return rules


def site_rules(site: Site, time_off: list[TimeOff]) -> list[Rule]:
    """Every rule a roster for this site must satisfy: structural ones first, then the YAML ones."""
    return structural_rules(site, time_off) + configured_rules(site)
