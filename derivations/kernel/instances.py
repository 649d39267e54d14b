"""Instances for the explicit forms (:mod:`derivations.kernel.explicit`): the sizes (1, 2, 3 and
one past every constant), the tuples of free-index values (every combination occurring in an
entry) and the stand-ins for abstract functions a statement is tried at, and points solved
to satisfy its hypotheses."""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import sympy as sp
from sympy.core.function import AppliedUndef, UndefinedFunction

from derivations.kernel.binding import free_symbols, symbols_free_in
from derivations.kernel.explicit import (
    _ONE_ARGUMENT,
    _many_arguments,
    _SkipError,
)
from derivations.kernel.language import definition_lookup
from derivations.kernel.points import (
    _free_atoms,
    _integer_choices,
    _random_value,
    _required,
    _satisfies,
)

if TYPE_CHECKING:
    from derivations.kernel.language import Definition, Hypothesis, IndexRange


#: the largest size the witness instantiates (explicit expressions grow fast with it)
LARGEST_SIZE = 8


def _large_size(problem: _Problem) -> int:
    """A size past every integer constant in the statement, at least 4, at most 8."""
    constants = [0]
    expressions = [problem.lhs, *(e for _, e in problem.rights)]
    expressions += [d.expr for d in problem.definitions]
    expressions += [sp.sympify(h.lhs) - sp.sympify(h.rhs) for h in problem.hypotheses]
    expressions += [sp.sympify(r.lo) + sp.sympify(r.hi) for r in problem.ranges]
    for expr in expressions:
        for entry in _entries(expr):
            constants += [abs(int(n)) for n in entry.atoms(sp.Integer)]
    return min(LARGEST_SIZE, max(4, max(constants) + 2))


@dataclass
class _Problem:
    lhs: sp.Basic
    rights: Sequence[tuple[str, sp.Basic]]
    definitions: Sequence[Definition]
    hypotheses: Sequence[Hypothesis]
    ranges: Sequence[IndexRange]


def _entries(expr: sp.Basic) -> list[sp.Basic]:
    return list(expr) if isinstance(expr, sp.MatrixBase) else [expr]


def _integer_symbols(problem: _Problem) -> tuple[list[sp.Symbol], list[IndexRange]]:
    """(sizes and other integer free symbols without a range, the free indices' ranges)."""
    found: set[sp.Symbol] = set()
    expressions = [problem.lhs, *(expr for _, expr in problem.rights)]
    for definition in problem.definitions:
        expressions.append(definition.expr)
    for hypothesis in problem.hypotheses:
        expressions += [sp.sympify(hypothesis.lhs), sp.sympify(hypothesis.rhs)]
    for index_range in problem.ranges:
        expressions += [sp.sympify(index_range.lo), sp.sympify(index_range.hi)]
    bound_in_definitions = {
        index for definition in problem.definitions for index in definition.indices
    }
    # a matrix's name (the label of an IndexedBase) is not a size, whatever it is declared
    labels: set[sp.Basic] = set()
    for expr in expressions:
        for entry in _entries(expr):
            free = free_symbols(entry)
            labels |= {s.base.label for s in free if isinstance(s, sp.Indexed)}
            labels |= {s.label for s in free if isinstance(s, sp.IndexedBase)}
            found |= {s for s in free if isinstance(s, sp.Symbol) and s.is_integer}
    found -= labels
    indexed = {index_range.index for index_range in problem.ranges}
    # a definition's own index symbols are bound by the definition, unless used freely
    free_elsewhere: set[sp.Symbol] = set()
    for expr in [problem.lhs, *(expr for _, expr in problem.rights)]:
        for entry in _entries(expr):
            free_elsewhere |= {s for s in free_symbols(entry) if isinstance(s, sp.Symbol)}
    for hypothesis in problem.hypotheses:
        free_elsewhere |= free_symbols(sp.sympify(hypothesis.lhs) - sp.sympify(hypothesis.rhs))
    sizes = sorted(
        (s for s in found - indexed if s not in bound_in_definitions or s in free_elsewhere),
        key=str,
    )
    return sizes, list(problem.ranges)


def _abstract_functions(problem: _Problem) -> list[UndefinedFunction]:
    defined = {d.name for d in problem.definitions if d.is_function}
    found: set[UndefinedFunction] = set()
    expressions = [problem.lhs, *(expr for _, expr in problem.rights)]
    expressions += [definition.expr for definition in problem.definitions]
    for expr in expressions:
        for entry in _entries(expr):
            for node in sp.preorder_traversal(entry):
                if isinstance(node, AppliedUndef) and node.func not in defined:
                    found.add(node.func)
    return sorted(found, key=str)


#: at the small sizes every combination of values of the free indices that occur together
#: in one entry of the statement is tried, up to this many combinations per group
MAX_INDEX_TUPLES = 64


def _index_groups(problem: _Problem, ranges: Sequence[IndexRange]) -> list[list[IndexRange]]:
    """The free indices in groups that must be tried in every combination: two indices are
    in one group when they occur free in the same entry of the statement (or a hypothesis,
    or one's range mentions the other).  A whole network's entry ∂J/∂W^l_{rs} has the two
    indices r_l, s_l; a scalar statement has one group of all its indices."""
    indices = [index_range.index for index_range in ranges]
    parent = {index: index for index in indices}

    def root(index: sp.Symbol) -> sp.Symbol:
        while parent[index] != index:
            index = parent[index]
        return index

    def join(together: set) -> None:
        members = [index for index in indices if index in together]
        for other in members[1:]:
            parent[root(other)] = root(members[0])

    sides = [problem.lhs, *(expr for _, expr in problem.rights)]
    entries = [_entries(side) for side in sides]
    lookup = definition_lookup(problem.definitions)

    def reached(expr: sp.Basic) -> set:
        """The symbols free in ``expr`` or in a definition it names (transitively): an
        index free only in a definition's body is free in the statement too."""
        found, todo, seen = set(symbols_free_in(expr)), [expr], set()
        while todo:
            for node in sp.preorder_traversal(todo.pop()):
                definition = lookup(node)
                if definition is not None and definition.name not in seen:
                    seen.add(definition.name)
                    body = set(symbols_free_in(definition.expr)) - set(definition.indices)
                    found |= body
                    todo.append(definition.expr)
        return found

    for position in range(max(len(e) for e in entries)):
        together: set = set()
        for side in entries:
            if position < len(side):
                together |= reached(side[position])
        join(together)
    for hypothesis in problem.hypotheses:
        join(set(symbols_free_in(sp.sympify(hypothesis.lhs) - sp.sympify(hypothesis.rhs))))
    for index_range in ranges:
        bounds = sp.sympify(index_range.lo) + sp.sympify(index_range.hi)
        join({index_range.index, *symbols_free_in(bounds)})
    groups: dict[sp.Symbol, list[IndexRange]] = {}
    for index_range in ranges:
        groups.setdefault(root(index_range.index), []).append(index_range)
    return list(groups.values())


def _group_tuples(
    ranges: Sequence[IndexRange], integers: Mapping[sp.Symbol, sp.Integer]
) -> list[dict[sp.Symbol, sp.Integer]] | None:
    """Every combination of values of one group's indices (ranges may depend on earlier
    indices), at most :data:`MAX_INDEX_TUPLES` (past it: combinations in which each index
    takes each of its values), or None when a range is empty or not concrete."""
    tuples: list[dict[sp.Symbol, sp.Integer]] = [{}]
    for index_range in ranges:
        extended = []
        for partial in tuples:
            known = {**integers, **partial}
            lo = sp.sympify(index_range.lo).xreplace(known)
            hi = sp.sympify(index_range.hi).xreplace(known)
            if not (lo.is_Integer and hi.is_Integer) or hi < lo:
                return None
            extended += [
                {**partial, index_range.index: sp.Integer(v)} for v in range(int(lo), int(hi) + 1)
            ]
        tuples = extended
    if len(tuples) <= MAX_INDEX_TUPLES:
        return tuples
    # too many: tuple k gives every index its k-th value (cycling), so each value occurs,
    # then combinations spread evenly over all of them (mostly of distinct values)
    values = {r.index: sorted({t[r.index] for t in tuples}) for r in ranges}
    longest = max(len(v) for v in values.values())
    cycling = [{index: v[k % len(v)] for index, v in values.items()} for k in range(longest)]
    spare = max(0, MAX_INDEX_TUPLES - len(cycling))
    spread = [tuples[(k * len(tuples)) // spare] for k in range(spare)] if spare else []
    return cycling + [t for t in spread if t not in cycling]


def _index_tuples(
    problem: _Problem, ranges: Sequence[IndexRange], integers: Mapping[sp.Symbol, sp.Integer]
) -> list[dict[sp.Symbol, sp.Integer]] | None:
    """Tuples of free-index values in which every group of :func:`_index_groups` takes each
    of its combinations (tuple k takes group g's k-th combination, cycling): every entry
    of the statement is tried at every combination of its own indices."""
    per_group = []
    for group in _index_groups(problem, ranges):
        tuples = _group_tuples(group, integers)
        if tuples is None:
            return None
        per_group.append(tuples)
    if not per_group:
        return [{}]
    longest = max(len(tuples) for tuples in per_group)
    combined = []
    for k in range(longest):
        chosen: dict[sp.Symbol, sp.Integer] = {}
        for tuples in per_group:
            chosen.update(tuples[k % len(tuples)])
        combined.append(chosen)
    return combined


def _instances(problem: _Problem, rng: random.Random, count: int):
    """(integers, stand-ins, key) for each instance the witness evaluates: the sizes at
    their 1st, 2nd and 3rd smallest values with every tuple of free-index values
    (:func:`_index_tuples`), then ``count − 4`` random small sizes and one size past every
    integer constant of the statement, each with the lowest, the highest or a random value
    of each index.  ``key`` names the sizes and stand-ins (instances that share it share
    the definitions' explicit forms)."""
    sizes, ranges = _integer_symbols(problem)
    functions = _abstract_functions(problem)
    choices = {size: _integer_choices(size) for size in sizes}
    if any(not options for options in choices.values()):
        return
    assignments: list[tuple[dict[sp.Symbol, int], bool]] = []
    if sizes:
        for position in range(3):  # each size takes its 1st, 2nd, 3rd smallest value
            assignments.append(
                ({s: choices[s][min(position, len(choices[s]) - 1)] for s in sizes}, True)
            )
        # an integer not declared positive is tried at 0 and below too: its domain says
        # "integer", and a statement may hold for positive values only
        for value in (0, -1, -2):
            if any(value in choices[s] for s in sizes):
                assignments.append(
                    ({s: value if value in choices[s] else choices[s][0] for s in sizes}, True)
                )
        for _ in range(max(0, count - 4)):
            assignments.append(({s: rng.choice(choices[s][:4]) for s in sizes}, False))
        # one instance past every integer constant of the statement (a closed form SymPy
        # derived wrongly may hold at 1..3 only: Σ binomial(c − 5, c − 5))
        large = _large_size(problem)
        assignments.append(
            (
                {
                    s: min(
                        (v for v in _integer_choices(s, upto=large) if abs(v) >= large),
                        key=abs,
                        default=choices[s][-1],
                    )
                    for s in sizes
                },
                False,
            )
        )
        # each size assignment once, with every tuple if any of its occurrences asks for it
        first: dict[tuple, tuple[dict[sp.Symbol, int], bool]] = {}
        for a, every in assignments:
            key = tuple(sorted(a.items(), key=str))
            first[key] = (a, every or first.get(key, (a, False))[1])
        unique = list(first.values())
    else:
        # no sizes: every tuple, each abstract function by each stand-in in turn
        variants = 3 if functions else 1
        unique = [({}, True) for _ in range(variants)]
    for number, (assignment, every) in enumerate(unique):
        integers = {key: sp.Integer(value) for key, value in assignment.items()}
        stand_ins = _stand_ins(functions, number)
        key = (tuple(sorted(assignment.items(), key=str)), number)
        if every:
            tuples = _index_tuples(problem, ranges, integers)
            for chosen in tuples or []:
                yield {**integers, **chosen}, stand_ins, key
            continue
        for turn, index_range in enumerate(ranges):
            lo = sp.sympify(index_range.lo).xreplace(integers)
            hi = sp.sympify(index_range.hi).xreplace(integers)
            if not (lo.is_Integer and hi.is_Integer) or hi < lo:
                break
            options = list(range(int(lo), int(hi) + 1))
            pick = (number + turn) % 3
            value = options[0] if pick == 0 else options[-1] if pick == 1 else rng.choice(options)
            # indices take distinct values where their ranges allow (a statement may fail
            # only where all its indices differ)
            taken = {integers[r.index] for r in ranges[:turn]}
            unused = [v for v in options if sp.Integer(v) not in taken]
            if sp.Integer(value) in taken and unused:
                value = rng.choice(unused)
            integers[index_range.index] = sp.Integer(value)
        else:
            yield integers, stand_ins, key


def _stand_ins(functions: Sequence[UndefinedFunction], variant: int) -> dict:
    """Concrete smooth functions for the abstract ones, the ``variant``-th choice."""
    concrete = {}
    for turn, function in enumerate(functions):
        position = (variant + turn) % len(_ONE_ARGUMENT)
        concrete[function] = _ONE_ARGUMENT[position]
        if getattr(function, "nargs", None) and 1 not in function.nargs:
            concrete[function] = _many_arguments(position)
    return concrete


def _base_equalities(hypotheses: Sequence[Hypothesis]) -> dict[sp.IndexedBase, sp.IndexedBase]:
    return {
        h.lhs: h.rhs
        for h in hypotheses
        if isinstance(h.lhs, sp.IndexedBase) and isinstance(h.rhs, sp.IndexedBase)
    }


def _solve_hypotheses(
    equations: Sequence[sp.Expr],
    atoms: set[sp.Basic],
    rng: random.Random,
) -> dict[sp.Basic, sp.Expr]:
    """Random values for the atoms, with some solved for so every equation holds exactly."""
    equations = [sp.expand(eq) for eq in equations if eq != 0]
    pivots: list[sp.Basic] = []
    for equation in equations:
        candidates = sorted(
            (
                atom
                for atom in _free_atoms(equation)
                if atom not in pivots and _linear_in(equation, atom)
            ),
            key=str,
        )
        if candidates:
            # a different atom at different points: every branch of y·z = 0 gets sampled
            pivots.append(rng.choice(candidates))
        elif _free_atoms(equation):
            raise _SkipError(f"cannot solve the hypothesis {equation} = 0 for a point")
    every = (
        set(atoms) | set().union(*(_free_atoms(eq) for eq in equations))
        if equations
        else set(atoms)
    )
    for _ in range(8):
        # in a fixed order: the random values must not depend on the hash seed of the run
        values = {
            atom: _random_value(rng, _required(atom))
            for atom in sorted(every, key=str)
            if atom not in pivots
        }
        remaining = [eq.xreplace(values) for eq in equations]
        if not pivots:
            if all(sp.simplify(eq) == 0 for eq in remaining):
                return values
            raise _SkipError("the hypotheses do not hold at this size")
        solutions = sp.solve(remaining, pivots, dict=True)
        for solution in solutions:
            if len(solution) != len(pivots):
                continue
            if all(solution[p].is_number and _satisfies(solution[p], _required(p)) for p in pivots):
                values.update(solution)
                if all(sp.simplify(eq.xreplace(values)) == 0 for eq in equations):
                    return values
    raise _SkipError("no point satisfies the hypotheses at this size")


def _linear_in(equation: sp.Expr, atom: sp.Basic) -> bool:
    try:
        return bool(equation.is_polynomial(atom)) and sp.degree(equation, atom) == 1
    except (sp.PolynomialError, ValueError, TypeError):
        return False


def _seed(problem: _Problem) -> int:
    """The same seed for every statement: which points are drawn must not depend on how the
    statement is printed (a renamed symbol would otherwise move the draws)."""
    del problem
    return 0x5EED
