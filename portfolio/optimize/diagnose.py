"""Why an optimisation has no answer: which constraint groups, relaxed alone, make it feasible."""

from __future__ import annotations

import cvxpy as cp

from portfolio.optimize.formulation import Arrays, Built, constraint_groups, flatten, solve
from portfolio.optimize.inputs import OptimizationProfile
from swingtrade.errors import Unprocessable


def infeasible_error(
    built: Built, objective: str, arrays: Arrays, profile: OptimizationProfile, *, wash: bool = False
) -> Unprocessable:
    status = "infeasible" if wash else built.problem.status
    label = objective.replace("_", " ")
    names = [g for g in built.groups if g != "trade definition"]
    details: dict = {"status": status, "binding": [], "groups": names}
    if status in (cp.INFEASIBLE, cp.INFEASIBLE_INACCURATE):
        # Probe the constraint set with the fees set to zero: with fees, buying and selling the same shares
        # inflates C and relaxes the "(1 − C)" limits, so every probe would look feasible.
        free = Arrays(**{**arrays.__dict__, "buy": 0 * arrays.buy, "sell": 0 * arrays.sell})
        _, _, _, groups = constraint_groups(free, profile, 1.0)
        if feasible(flatten(groups)):
            if built.kappa is not None:
                details["binding"] = ["positive net expected return"]
                return Unprocessable(
                    "The max sharpe problem has no solution: no portfolio allowed by the constraints has a "
                    "positive expected return above the risk-free rate after costs and borrow.",
                    details=details,
                )
            details["binding"] = ["cash"]
            return Unprocessable(
                f"The {label} problem is infeasible only because of the trading fees: reaching the exposure "
                "bounds costs more than the cash allows; lower net_min or add cash.",
                details=details,
            )
        culprits = diagnose(groups)
        details["binding"] = culprits
        if culprits:
            message = (
                f"The {label} problem is infeasible; it becomes feasible when relaxing "
                f"{' or '.join(culprits)}."
            )
        else:
            message = (
                f"The {label} problem is infeasible; no single constraint group explains it "
                f"(the combination of {', '.join(names)} conflicts)."
            )
        return Unprocessable(message, details=details)
    if status in (cp.UNBOUNDED, cp.UNBOUNDED_INACCURATE):
        return Unprocessable(
            f"The {label} problem is unbounded; add position or gross exposure limits.", details=details
        )
    return Unprocessable(
        f"The solver stopped with status {status!r} instead of an optimal solution; "
        "check the inputs (scale of expected returns and covariance) and constraints.",
        details=details,
    )


def feasible(constraints: list[cp.Constraint]) -> bool:
    probe = cp.Problem(cp.Minimize(0), constraints)
    try:
        solve(probe)
    except cp.SolverError:
        return False
    return probe.status == cp.OPTIMAL


def diagnose(groups: dict[str, list[cp.Constraint]]) -> list[str]:
    """Constraint groups whose removal alone makes the feasibility problem solvable."""
    return [
        name
        for name in groups
        if name != "trade definition" and feasible([c for g, cs in groups.items() if g != name for c in cs])
    ]
