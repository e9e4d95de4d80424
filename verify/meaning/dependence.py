"""A symbol declared `depends on \\theta`, evaluated along its curve.

Checking a step such as `\\frac{\\partial K_y^{-1}}{\\partial\\theta} =
-K_y^{-1}\\frac{\\partial K}{\\partial\\theta}K_y^{-1}` needs K and its derivative at
the current θ, nothing more. An instance draws K at an anchor θ₀ with its declared
properties, and two directions of the same structure (symmetric for a symmetric
K); K(θ) = K + (θ - θ₀)K₁ + (θ - θ₀)²K₂. At θ = θ₀ this is K, its derivative K₁,
its second derivative 2K₂; a derivative with respect to θ differentiates the
curve, and with respect to any other symbol leaves it alone.
"""

from __future__ import annotations

from dataclasses import dataclass

from verify.errors import EvaluationError
from verify.meaning import terms as T
from verify.meaning.dual import Mat
from verify.model import Declaration
from verify.shape import SCALAR

ORDERS = (1, 2)  # the directions drawn: K₁, K₂


def hidden(name: str, variable: str, order: int) -> str:
    """Where an instance keeps the curve: order 0 is the anchor θ₀, then K₁, K₂.
    The names cannot be written on a page."""
    return f"{name}\u2192{variable}#{order}"


@dataclass
class Dependent(T.Ref):
    """A declared symbol that is a smooth function of the scalars `depends_on`."""

    depends_on: tuple[str, ...] = ()

    def value(self, env: T.Env) -> T.Value:
        value = super().value(env)
        if env.symbolic:
            raise EvaluationError(f"{self.name} depends on {', '.join(self.depends_on)}")
        for variable in self.depends_on:
            try:
                anchor = env.values[hidden(self.name, variable, 0)]
                step = env.values[variable] - anchor
                first, second = (env.values[hidden(self.name, variable, k)] for k in ORDERS)
            except KeyError:
                raise EvaluationError(f"no curve drawn for {self.name} in {variable}") from None
            value = value + _times(step, first) + _times(step * step, second)
        return value

    def children(self) -> list[T.Term]:
        return [*self.indices, *(T.Ref(v, shape=SCALAR, pos=self.pos) for v in self.depends_on)]

    def reads(self) -> list[str]:
        """Values an instance holds for this symbol beside its own (for memos)."""
        return [hidden(self.name, v, k) for v in self.depends_on for k in (0, *ORDERS)]


def _times(step: T.Value, direction: T.Value) -> T.Value:
    return direction.scaled(step) if isinstance(direction, Mat) else step * direction


def dependent(ref: T.Ref, decl: Declaration) -> T.Ref:
    """`ref` as a point on its curve, if its declaration depends on a scalar."""
    if not decl.depends_on:
        return ref
    return Dependent(ref.name, ref.indices, ref.family, ref.written, shape=ref.shape,
                     pos=ref.pos, depends_on=decl.depends_on)  # fmt: skip
