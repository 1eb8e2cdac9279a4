"""A neighbourhood step's own CP-SAT model: the free variables and the constraints that touch them.

A step used to clone the whole model and pin every variable it did not free; on a 52-week instance (150
staff, 147,612 variables, 355,038 constraints) CP-SAT then spent about 2 s per step loading and presolving
the pinned part, for a step worth 0.3 deterministic seconds. Here the step's model holds only:

- the freed decision variables, and the auxiliary variables (cover shortfall, worked weekends) tied to them
  by a constraint, or tied to those by constraints that hold no decision variable (a cap on weekends);
- every constraint that touches one of them, with the held variables' current values folded in as constants.

Any solution of the step's model, with every other variable at its current value, is a solution of the whole
model: a constraint the step leaves out holds only held variables, which the current solution satisfies. The
step's objective carries the held variables' cost as its offset, so its value is the whole model's.
Linear constraints and clauses (bool_or) are what the Curtois models are made of; `supported` says when a
model has anything else, and the caller then clones and pins as before.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from ortools.sat.python import cp_model

from common.cpsat import readable_proto

LINEAR, BOOL_OR = 0, 1
INT_MIN, INT_MAX = -(2 ** 62), 2 ** 62


def _csr(lengths: list[int], flat: list[int]) -> tuple[np.ndarray, np.ndarray]:
    """(pointer, values) of rows given by their lengths and their concatenated values."""
    ptr = np.zeros(len(lengths) + 1, dtype=np.int64)
    np.cumsum(lengths, out=ptr[1:])
    return ptr, np.array(flat, dtype=np.int64)


def _gather(ptr: np.ndarray, flat: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """The concatenated entries of `rows`."""
    if len(rows) == 0:
        return flat[:0]
    lengths = ptr[rows + 1] - ptr[rows]
    starts = np.repeat(ptr[rows] - np.cumsum(lengths) + lengths, lengths)
    return flat[starts + np.arange(int(lengths.sum()))]


@dataclass
class Step:
    model: cp_model.CpModel
    variables: np.ndarray          # the whole model's index of each of the step model's variables, in order

    def merged(self, current: list[int], values: list[int]) -> list[int]:
        """The whole model's solution: `current` with the step's variables at `values`."""
        merged = np.asarray(current, dtype=np.int64).copy()
        merged[self.variables] = values
        return merged.tolist()


class SubModels:
    """Read once from a model, then builds step models around any current solution (thread-safe: read-only)."""

    def __init__(self, model: cp_model.CpModel, decisions: np.ndarray):
        """`decisions`: the indices of the variables a step frees or holds (the rest are auxiliary)."""
        proto = readable_proto(model)
        self.variable_count = len(proto.variables)
        self.domains = [list(v.domain) for v in proto.variables]
        self.lower = np.array([d[0] for d in self.domains], dtype=np.int64)
        self.upper = np.array([d[-1] for d in self.domains], dtype=np.int64)
        self.is_decision = np.zeros(self.variable_count, dtype=bool)
        self.is_decision[decisions] = True
        kinds, body, coeff, body_length, enforcement, enforcement_length = [], [], [], [], [], []
        self.rhs: list = []
        self.supported = True
        for ct in proto.constraints:
            kind = ct.WhichOneof("constraint")
            if kind == "linear":
                linear = ct.linear
                kinds.append(LINEAR)
                body.extend(linear.vars)
                coeff.extend(linear.coeffs)
                body_length.append(len(linear.vars))
                self.rhs.append(linear.domain)
            elif kind == "bool_or":
                literals = ct.bool_or.literals
                kinds.append(BOOL_OR)
                body.extend(literals)
                coeff.extend([1] * len(literals))
                body_length.append(len(literals))
                self.rhs.append(())
            else:
                self.supported = False
                return
            enforcement.extend(ct.enforcement_literal)
            enforcement_length.append(len(ct.enforcement_literal))
        self.kind = np.array(kinds, dtype=np.int8)
        self.one_interval = np.array([len(rhs) == 2 for rhs in self.rhs], dtype=bool)
        self.rhs_low = np.array([rhs[0] if len(rhs) == 2 else 0 for rhs in self.rhs], dtype=np.int64)
        self.rhs_high = np.array([rhs[1] if len(rhs) == 2 else 0 for rhs in self.rhs], dtype=np.int64)
        self.body_ptr, self.body = _csr(body_length, body)
        self.coeff = np.array(coeff, dtype=np.int64)
        self.enf_ptr, self.enf = _csr(enforcement_length, enforcement)
        if (self.body[self.kind[np.repeat(np.arange(len(kinds)), body_length)] == LINEAR] < 0).any():
            self.supported = False             # a negated variable in a linear term: not met in these models
        # variable -> constraints it appears in (body or enforcement), as CSR
        owners = np.concatenate([np.repeat(np.arange(len(kinds)), np.diff(self.body_ptr)),
                                 np.repeat(np.arange(len(kinds)), np.diff(self.enf_ptr))])
        touched = _positive(np.concatenate([self.body, self.enf]))
        order = np.argsort(touched, kind="stable")
        self.inc = owners[order]
        self.inc_ptr = np.zeros(self.variable_count + 1, dtype=np.int64)
        np.cumsum(np.bincount(touched, minlength=self.variable_count), out=self.inc_ptr[1:])
        # constraints with no decision variable tie auxiliary variables together (e.g. a cap on weekends)
        has_decision = np.zeros(len(kinds), dtype=bool)
        has_decision[owners[self.is_decision[touched]]] = True
        self.pure_aux = ~has_decision
        # an auxiliary variable in a constraint with a decision variable is anchored: held with those variables
        self.anchored = self.is_decision.copy()
        self.anchored[touched[has_decision[owners]]] = True
        objective = proto.objective
        self.objective_vars = np.array(list(objective.vars), dtype=np.int64)
        self.objective_coeffs = np.array(list(objective.coeffs), dtype=np.int64)
        self.objective_offset = objective.offset
        self.objective_scale = objective.scaling_factor or 1.0
        if (self.objective_vars < 0).any() or len(objective.domain) or objective.scaling_factor < 0:
            self.supported = False

    def _constraints_of(self, variables: np.ndarray) -> np.ndarray:
        return np.unique(_gather(self.inc_ptr, self.inc, variables))

    def _needed(self, constraints: np.ndarray, index: np.ndarray, values: np.ndarray) -> dict[int, int]:
        """For each linear constraint among `constraints` that the step's variables could break: the held
        variables' part of it (a constant). The others hold whatever the step does (e.g. one employee's cap on
        a shift type over the year, when the step frees four of their days) and are left out."""
        linear = constraints[self.kind[constraints] == LINEAR]
        lengths = self.body_ptr[linear + 1] - self.body_ptr[linear]
        positions = _gather(self.body_ptr, np.arange(len(self.body)), linear)
        refs, coeffs = self.body[positions], self.coeff[positions]
        inside = index[refs] >= 0
        row = np.repeat(np.arange(len(linear)), lengths)
        constant = np.zeros(len(linear), dtype=np.int64)
        np.add.at(constant, row[~inside], coeffs[~inside] * values[refs[~inside]])
        low, high = constant.copy(), constant.copy()
        at_low, at_high = coeffs[inside] * self.lower[refs[inside]], coeffs[inside] * self.upper[refs[inside]]
        np.add.at(low, row[inside], np.minimum(at_low, at_high))
        np.add.at(high, row[inside], np.maximum(at_low, at_high))
        loose = self.one_interval[linear] & (self.rhs_low[linear] <= low) & (high <= self.rhs_high[linear])
        return dict(zip(linear[~loose].tolist(), constant[~loose].tolist()))

    def free_variables(self, decisions: np.ndarray) -> np.ndarray:
        """The freed decision variables and the auxiliary variables that go with them (sorted)."""
        free = np.zeros(self.variable_count, dtype=bool)
        free[decisions] = True
        frontier = self._constraints_of(decisions)
        first = True
        while len(frontier):
            refs = _positive(np.concatenate([_gather(self.body_ptr, self.body, frontier),
                                             _gather(self.enf_ptr, self.enf, frontier)]))
            new = np.unique(refs[~free[refs] & ~self.is_decision[refs] & (self.anchored[refs] == first)])
            free[new] = True
            cons = self._constraints_of(new)
            frontier = cons[self.pure_aux[cons]]
            first = False
        return np.flatnonzero(free)

    def step(self, decisions: np.ndarray, current: list[int], hint: list[int] | None = None) -> Step:
        """The step model freeing `decisions` around `current` (a full solution), hinted with it, or with
        `hint`'s values of `decisions` alone (the rest follows from them)."""
        values = np.asarray(current, dtype=np.int64)
        variables = self.free_variables(decisions)
        index = np.full(self.variable_count, -1, dtype=np.int64)
        index[variables] = np.arange(len(variables))
        sub = cp_model.CpModel()
        proto = sub.proto
        for v in variables.tolist():
            proto.variables.add().domain.extend(self.domains[v])
        constraints = self._constraints_of(variables)
        needed = self._needed(constraints, index, values)
        for c in constraints.tolist():
            enforcement = _free_literals(self.enf[self.enf_ptr[c]:self.enf_ptr[c + 1]], index, values, settled_by=0)
            if enforcement is None:
                continue                       # not enforced whatever the step does
            lo, hi = self.body_ptr[c], self.body_ptr[c + 1]
            refs = self.body[lo:hi]
            if self.kind[c] == LINEAR:
                constant = needed.get(c)
                if constant is None:
                    continue                   # holds whatever values the step gives its variables
                coeffs = self.coeff[lo:hi]
                mapped = index[refs]
                inside = mapped >= 0
                ct = proto.constraints.add()
                ct.enforcement_literal.extend(enforcement)
                ct.linear.vars.extend(mapped[inside].tolist())
                ct.linear.coeffs.extend(coeffs[inside].tolist())
                ct.linear.domain.extend(_shifted(self.rhs[c], constant))
            else:
                literals = _free_literals(refs, index, values, settled_by=1)
                if literals is None:
                    continue                   # a held literal is true: the clause holds
                ct = proto.constraints.add()
                ct.enforcement_literal.extend(enforcement)
                ct.bool_or.literals.extend(literals)
        mapped = index[self.objective_vars]
        inside = mapped >= 0
        held = int(np.dot(self.objective_coeffs[~inside], values[self.objective_vars[~inside]]))
        objective = proto.objective
        objective.vars.extend(mapped[inside].tolist())
        objective.coeffs.extend(self.objective_coeffs[inside].tolist())
        objective.offset = self.objective_offset + held
        objective.scaling_factor = self.objective_scale
        if hint is None:
            proto.solution_hint.vars.extend(range(len(variables)))
            proto.solution_hint.values.extend(values[variables].tolist())
        else:
            proto.solution_hint.vars.extend(index[decisions].tolist())
            proto.solution_hint.values.extend(np.asarray(hint, dtype=np.int64)[decisions].tolist())
        return Step(sub, variables)


def _positive(refs: np.ndarray) -> np.ndarray:
    return np.where(refs >= 0, refs, -refs - 1)


def _free_literals(refs: np.ndarray, index: np.ndarray, values: np.ndarray, settled_by: int) -> list[int] | None:
    """The step model's literals among `refs` (held ones dropped), or None when a held literal has the value
    `settled_by`: 0 for enforcement literals (the constraint is off), 1 for a clause (it holds)."""
    literals = []
    for ref in refs.tolist():
        var = ref if ref >= 0 else -ref - 1
        if index[var] >= 0:
            literals.append(int(index[var]) if ref >= 0 else -int(index[var]) - 1)
        elif (int(values[var]) if ref >= 0 else 1 - int(values[var])) == settled_by:
            return None
    return literals


def _shifted(domain: list[int], constant: int) -> list[int]:
    """A linear constraint's domain (pairs of bounds) with `constant` moved to the right-hand side."""
    return [bound if bound <= INT_MIN or bound >= INT_MAX else bound - constant for bound in domain]
