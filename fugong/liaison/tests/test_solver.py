"""The assignment solver on its own (no database): coverage, the cap, same-town preference, balance, kept
loads, infeasibility, and optimality against the Hungarian method on the expanded cost matrix."""

from __future__ import annotations

import random
from collections import Counter

import numpy as np
import pytest
from scipy.optimize import linear_sum_assignment

from fugong.liaison.solver import CadreIn, TargetIn, assignment_cost, load_spread, solve, uncovered_cost


def _targets(spec: dict[str, int], priority: int = 0) -> list[TargetIn]:
    out = []
    for town, n in spec.items():
        out += [TargetIn(("enterprise", f"{town}-{i}"), town, priority) for i in range(n)]
    return out


def test_every_target_is_covered_when_the_cadres_have_room():
    cadres = [CadreIn(i, "A" if i < 3 else "B", 0) for i in range(6)]
    sol = solve(cadres, _targets({"A": 5, "B": 4}), cap=2)
    assert not sol.uncovered
    assert len(sol.adds) == 9
    assert len({t.key for t, _c in sol.adds}) == 9


def test_no_cadre_is_given_more_than_the_cap():
    cadres = [CadreIn(i, "A", 0) for i in range(4)]
    sol = solve(cadres, _targets({"A": 12}), cap=3)
    assert max(sol.loads_after.values()) == 3
    assert Counter(c for _t, c in sol.adds) == {0: 3, 1: 3, 2: 3, 3: 3}


def test_a_cadre_of_the_targets_town_is_preferred():
    cadres = [CadreIn(1, "A", 0), CadreIn(2, "B", 0)]
    sol = solve(cadres, _targets({"A": 2, "B": 1}), cap=2)
    chosen = {t.key: c for t, c in sol.adds}
    assert chosen[("enterprise", "A-0")] == 1 and chosen[("enterprise", "A-1")] == 1
    assert chosen[("enterprise", "B-0")] == 2
    assert sol.same_town == 3


def test_a_town_without_room_borrows_the_least_loaded_cadre_elsewhere():
    cadres = [CadreIn(1, "A", 2), CadreIn(2, "B", 0), CadreIn(3, "B", 1)]
    sol = solve(cadres, _targets({"A": 1}), cap=2)
    assert sol.adds == [(TargetIn(("enterprise", "A-0"), "A"), 2)]
    assert sol.same_town == 0


def test_loads_are_balanced_within_a_town():
    cadres = [CadreIn(i, "A", 0) for i in range(5)]
    sol = solve(cadres, _targets({"A": 7}), cap=3)
    assert sorted(sol.loads_after.values()) == [1, 1, 1, 2, 2]
    assert load_spread(sol.loads_after)["max"] == 2


def test_existing_assignments_count_in_the_load_and_are_kept():
    # Cadre 1 already carries two targets: with a cap of 3 it can take one more, cadre 2 the rest.
    cadres = [CadreIn(1, "A", 2), CadreIn(2, "A", 0)]
    sol = solve(cadres, _targets({"A": 3}), cap=3)
    assert sol.loads_before == {1: 2, 2: 0}
    assert sol.loads_after == {1: 3, 2: 2}
    assert not sol.uncovered


def test_a_cadre_already_over_the_cap_gets_nothing_and_keeps_what_they_have():
    cadres = [CadreIn(1, "A", 5), CadreIn(2, "A", 0)]
    sol = solve(cadres, _targets({"A": 1}), cap=3)
    assert sol.adds[0][1] == 2
    assert sol.loads_after[1] == 5


def test_what_cannot_be_covered_is_reported_and_the_higher_priority_is_covered_first():
    cadres = [CadreIn(1, "A", 0), CadreIn(2, "B", 1)]
    low = _targets({"A": 3})
    high = [TargetIn(("project", "P"), "B", priority=1)]
    sol = solve(cadres, low + high, cap=2)
    assert sol.free_slots == 3
    assert len(sol.adds) == 3 and len(sol.uncovered) == 1
    assert sol.uncovered[0].priority == 0
    assert ("project", "P") in {t.key for t, _c in sol.adds}


def test_no_cadres_at_all_leaves_every_target_uncovered():
    sol = solve([], _targets({"A": 2}), cap=3)
    assert not sol.adds and len(sol.uncovered) == 2 and sol.free_slots == 0


def test_nothing_to_cover_proposes_nothing():
    sol = solve([CadreIn(1, "A", 0)], [], cap=3)
    assert sol.adds == [] and sol.uncovered == []


def _hungarian_cost(cadres: list[CadreIn], targets: list[TargetIn], cap: int) -> float:
    """The reference: linear_sum_assignment on the expanded matrix (a column per free slot, one "uncovered"
    column per target)."""
    columns = []  # (cadre town, level) or None for uncovered
    for c in cadres:
        columns += [(c.town, level) for level in range(c.load + 1, cap + 1)]
    n_slots = len(columns)
    matrix = np.empty((len(targets), n_slots + len(targets)))
    for i, t in enumerate(targets):
        for j, (town, level) in enumerate(columns):
            matrix[i, j] = assignment_cost(t.town, town, level, cap)
        matrix[i, n_slots:] = 1e9
        matrix[i, n_slots + i] = uncovered_cost(cap, t.priority)
    rows, cols = linear_sum_assignment(matrix)
    return float(matrix[rows, cols].sum())


@pytest.mark.parametrize("seed", range(12))
def test_the_flow_solution_is_as_cheap_as_the_hungarian_method_on_the_expanded_matrix(seed):
    rng = random.Random(seed)
    towns = ["A", "B", "C", "D"][: rng.randint(1, 4)]
    cap = rng.randint(1, 4)
    cadres = [CadreIn(i, rng.choice([*towns, ""]), rng.randint(0, cap)) for i in range(rng.randint(0, 9))]
    targets = [TargetIn(("enterprise", i), rng.choice(towns), rng.choice([0, 0, 1])) for i in range(rng.randint(1, 20))]
    sol = solve(cadres, targets, cap)
    assert sol.cost == pytest.approx(_hungarian_cost(cadres, targets, cap))
    assert len(sol.adds) == min(len(targets), sol.free_slots)
    assert all(load <= max(cap, sol.loads_before[c]) for c, load in sol.loads_after.items())
