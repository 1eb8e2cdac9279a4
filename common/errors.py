"""The one error type for a planner's mistake.

Anything the user can fix (a missing file, a bad value, rules that cannot all
hold) raises InputError. The command line prints its message and exits with
code 2, without a traceback; everything else is a bug and keeps its traceback.
"""
from __future__ import annotations

EXIT_USER_ERROR = 2


class InputError(Exception):
    """A problem in the planner's input, phrased so they can fix it.

    where: the file and, if known, the row, column or key ("agents.csv row 7, column 'contract'").
    problem: what is wrong.
    fix: how to fix it.
    """

    def __init__(self, where: str, problem: str, fix: str = ""):
        self.where = where
        self.problem = problem
        self.fix = fix
        super().__init__(self.message)

    @property
    def message(self) -> str:
        text = f"{self.where}: {self.problem}" if self.where else self.problem
        if self.fix:
            text += f"\n  how to fix: {self.fix}"
        return text


class InputErrors(InputError):
    """Several input problems found in one validation pass, reported together."""

    def __init__(self, errors: list[InputError]):
        self.errors = list(errors)
        super().__init__("", "\n".join(e.message for e in self.errors))
