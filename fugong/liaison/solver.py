"""The assignment proposal's solver: which cadre takes each enterprise or project that has no liaison yet.

Objective, in this order of weight:
1. cover as many targets as possible (higher `priority` first when the capacity is short);
2. prefer a cadre of the target's own town;
3. balance the load: the marginal cost of a cadre's L-th target is L, so loads rise evenly (convex costs);
never past the load cap, and existing assignments are kept (they count in each cadre's current load).

How: the cost of giving a target to a cadre depends only on (target town, cadre town, the cadre's resulting
load). So the problem is a min-cost flow (a transportation problem) between *groups* — target groups
(town, priority) and slot groups (town, load level L), whose capacity is the number of that town's cadres with
a current load below L — solved exactly by the HiGHS simplex (scipy.optimize.linprog; the constraint matrix is
totally unimodular, so the optimum is integral; milp is the fallback should rounding ever disagree). Within a
town, the LP's flow is then spread over its cadres by water-filling (least-loaded first), which for identical
convex marginal costs is itself optimal. The result equals the Hungarian method on the expanded cost matrix
(one column per free slot of each cadre; see tests/test_solver.py) but stays small: a few hundred variables
for 2,000 cadres × 10,000 targets instead of a 10,000 × 10,000 matrix.
"""

from __future__ import annotations

import heapq
import time
from collections import defaultdict
from collections.abc import Hashable, Sequence
from dataclasses import dataclass

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, linprog, milp
from scipy.sparse import coo_matrix


@dataclass(frozen=True)
class CadreIn:
    id: int
    town: str  # "" when the cadre has no home town: never counts as "same town"
    load: int  # current active assignments (kept)


@dataclass(frozen=True)
class TargetIn:
    key: Hashable  # e.g. ("enterprise", 12)
    town: str
    priority: int = 0  # higher is covered first when there are not enough slots


@dataclass
class Solution:
    adds: list[tuple[TargetIn, int]]  # (target, cadre id)
    uncovered: list[TargetIn]
    loads_before: dict[int, int]
    loads_after: dict[int, int]
    free_slots: int  # Σ max(cap − load, 0) before the proposal
    cap: int
    seconds: float = 0.0
    same_town: int = 0  # adds whose cadre lives in the target's town
    cost: float = 0.0


def level_cost(level: int) -> float:
    """Marginal cost of a cadre's `level`-th target: rising, so loads stay even."""
    return float(level)


def cross_town_cost(cap: int) -> float:
    """Dearer than any load level under the cap: a same-town cadre with room always wins."""
    return float(cap + 1)


def uncovered_cost(cap: int, priority: int) -> float:
    """Dearer than any assignment (cross-town at the cap): covering a target always wins when a slot exists."""
    return float((2 * cap + 2) * (priority + 1))


def assignment_cost(target_town: str, cadre_town: str, level: int, cap: int) -> float:
    same = bool(target_town) and target_town == cadre_town
    return level_cost(level) + (0.0 if same else cross_town_cost(cap))


def solve(cadres: Sequence[CadreIn], targets: Sequence[TargetIn], cap: int) -> Solution:
    """Propose a cadre for each target (targets are those without a liaison; order breaks ties)."""
    started = time.perf_counter()
    cap = max(int(cap), 0)
    loads_before = {c.id: c.load for c in cadres}
    free = sum(max(cap - c.load, 0) for c in cadres)
    solution = Solution([], [], loads_before, dict(loads_before), free, cap)
    if not targets:
        solution.seconds = time.perf_counter() - started
        return solution

    # Target groups (town, priority) and their members, in the caller's order.
    groups: dict[tuple[str, int], list[TargetIn]] = defaultdict(list)
    for t in targets:
        groups[(t.town, t.priority)].append(t)
    group_keys = list(groups)

    # Slot groups (town, level): how many of the town's cadres could take an L-th target.
    by_town: dict[str, list[CadreIn]] = defaultdict(list)
    for c in cadres:
        by_town[c.town].append(c)
    slot_keys: list[tuple[str, int]] = []
    slot_caps: list[int] = []
    for town, town_cadres in sorted(by_town.items()):
        for level in range(1, cap + 1):
            n = sum(1 for c in town_cadres if c.load < level)
            if n:
                slot_keys.append((town, level))
                slot_caps.append(n)

    flows = _transport(group_keys, [len(groups[g]) for g in group_keys], slot_keys, slot_caps, cap)

    # Each group sends flows[(g, town)] targets to `town`; the rest of the group stays uncovered (its tail).
    to_town: dict[str, list[TargetIn]] = defaultdict(list)
    for g in group_keys:
        members = groups[g]
        sent = 0
        # The target's own town first, then the others in a fixed order.
        for town in sorted(by_town, key=lambda tw: (tw != g[0], tw)):
            n = flows.get((g, town), 0)
            if n:
                to_town[town].extend(members[sent : sent + n])
                sent += n
        solution.uncovered.extend(members[sent:])

    loads_after = solution.loads_after
    for town, assigned in to_town.items():
        heap = [(c.load, c.id) for c in by_town[town] if c.load < cap]
        heapq.heapify(heap)
        # Same-town targets first (they are what the LP routed here on purpose), then the others.
        for target in sorted(assigned, key=lambda t: t.town != town):
            load, cadre_id = heapq.heappop(heap)
            solution.adds.append((target, cadre_id))
            loads_after[cadre_id] = load + 1
            if load + 1 < cap:
                heapq.heappush(heap, (load + 1, cadre_id))
    towns = {c.id: c.town for c in cadres}
    solution.same_town = sum(1 for t, c in solution.adds if t.town and towns[c] == t.town)
    solution.cost = total_cost(solution, cadres)
    solution.seconds = time.perf_counter() - started
    return solution


def _transport(
    group_keys: list[tuple[str, int]],
    demand: list[int],
    slot_keys: list[tuple[str, int]],
    slot_caps: list[int],
    cap: int,
) -> dict[tuple[tuple[str, int], str], int]:
    """Min-cost flow between target groups and slot groups; returns {(group, cadre town): targets sent}."""
    n_g, n_s = len(group_keys), len(slot_keys)
    n_x = n_g * n_s
    costs = np.empty(n_x + n_g)
    for i, (town, priority) in enumerate(group_keys):
        for j, (slot_town, level) in enumerate(slot_keys):
            costs[i * n_s + j] = assignment_cost(town, slot_town, level, cap)
        costs[n_x + i] = uncovered_cost(cap, priority)
    # Σ_s x[g, s] + u[g] = demand[g]
    eq_rows = np.repeat(np.arange(n_g), n_s + 1)
    eq_cols = np.concatenate([np.append(np.arange(i * n_s, (i + 1) * n_s), n_x + i) for i in range(n_g)])
    a_eq = coo_matrix((np.ones(len(eq_rows)), (eq_rows, eq_cols)), shape=(n_g, n_x + n_g)).tocsr()
    # Σ_g x[g, s] ≤ slot_caps[s]
    ub_rows = np.tile(np.arange(n_s), n_g)
    ub_cols = np.arange(n_x)
    a_ub = coo_matrix((np.ones(n_x), (ub_rows, ub_cols)), shape=(n_s, n_x + n_g)).tocsr()
    b_eq = np.array(demand, dtype=float)
    b_ub = np.array(slot_caps, dtype=float)
    x = None
    if n_s:
        result = linprog(costs, A_ub=a_ub, b_ub=b_ub, A_eq=a_eq, b_eq=b_eq, bounds=(0, None), method="highs-ds")
        if result.status == 0 and np.allclose(result.x, np.round(result.x), atol=1e-6):
            x = np.round(result.x).astype(int)
        else:  # pragma: no cover - a totally unimodular LP has an integral vertex optimum
            constraints = [LinearConstraint(a_eq, b_eq, b_eq), LinearConstraint(a_ub, -np.inf, b_ub)]
            mip = milp(costs, constraints=constraints, integrality=np.ones(len(costs)), bounds=Bounds(0, np.inf))
            x = np.round(mip.x).astype(int)
    flows: dict[tuple[tuple[str, int], str], int] = defaultdict(int)
    if x is None:
        return flows
    for i, g in enumerate(group_keys):
        for j, (slot_town, _level) in enumerate(slot_keys):
            n = int(x[i * n_s + j])
            if n:
                flows[(g, slot_town)] += n
    return flows


def total_cost(solution: Solution, cadres: Sequence[CadreIn]) -> float:
    """The objective of a finished solution (for tests and the benchmark): the same costs as the LP."""
    towns = {c.id: c.town for c in cadres}
    cap = solution.cap
    cost = 0.0
    levels: dict[int, int] = dict(solution.loads_before)
    for target, cadre_id in solution.adds:
        levels[cadre_id] += 1
        cost += assignment_cost(target.town, towns[cadre_id], levels[cadre_id], cap)
    cost += sum(uncovered_cost(cap, t.priority) for t in solution.uncovered)
    return cost


def load_spread(loads: dict[int, int]) -> dict[str, float]:
    """min / max / mean / standard deviation of the cadres' loads."""
    if not loads:
        return {"min": 0, "max": 0, "mean": 0.0, "std": 0.0}
    values = np.fromiter(loads.values(), dtype=float)
    return {
        "min": int(values.min()),
        "max": int(values.max()),
        "mean": round(float(values.mean()), 3),
        "std": round(float(values.std()), 3),
    }
