"""`depends on \\theta`: a declared quantity that is a smooth function of a scalar.

R&W's covariance matrix K depends on the hyperparameters of the covariance
function; the page writes `\\frac{\\partial K}{\\partial\\theta}` for the matrix of
the derivatives of its entries. Declared `K: matrix(n, n), symmetric,
positive-definite, depends on \\theta`, K is drawn as a curve through a value
with its properties (`verify.deciding.dependence`); every other symbol does not
depend on θ. This module checks what such a declaration may say.
"""

from __future__ import annotations

from verify.model import Declaration, Kind

# Kinds that may depend on a scalar, and properties a curve of them cannot keep.
DEPENDENT_KINDS = (Kind.SCALAR, Kind.VECTOR, Kind.MATRIX)
RIGID = {"integer", "orthogonal"}


def dependence_problem(
    d: Declaration, declarations: list[Declaration], broken: dict[str, str]
) -> str | None:
    """Why `d`'s `depends on` cannot be used, or None."""
    if not d.depends_on:
        return None
    if d.kind not in DEPENDENT_KINDS or d.indices or d.parts:
        return "only a plain scalar, vector or matrix (not a family) can depend on a scalar"
    rigid = sorted(RIGID & set(d.properties))
    if rigid:
        return f"'{rigid[0]}' cannot be kept along a smooth change: drop 'depends on'"
    scalars = {e.base for e in declarations
               if e.kind == Kind.SCALAR and not e.indices and not e.is_random}  # fmt: skip
    for name in d.depends_on:
        if name == d.base:
            return f"'depends on {name}': a symbol does not depend on itself"
        if name in broken:
            return f"'depends on {name}': {name} cannot be used ({broken[name]})"
        if name not in scalars:
            return (
                f"'depends on {name}': {name} must be a declared scalar (declare it, e.g."
                f" '{name}: scalar')"
            )
    return None
