"""The LaTeX commands we read, as data: what each one becomes for the grammar.

The tokenizer looks every `\\name` up here and acts on its `Action`: emit a
token, skip it (spacing), or hand it to a small reader (delimiters, bars,
environments, text, fonts). Adding a command is a row here, and a grammar
rule only if it brings a new token.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class Action(Enum):
    """What the tokenizer does with a command."""

    TOKEN = "token"  # emit `token` with `value`
    SKIP = "skip"  # spacing and style: nothing to read
    NORM_BAR = "norm-bar"  # `\|`: opens or closes a norm
    SIZED = "sized"  # `\left`, `\right`, `\big`…: the delimiter that follows
    VERT = "vert"  # `\vert`, `\lVert`…: a bar written as a command
    ENVIRONMENT = "environment"  # `\begin{bmatrix}` … `\end{bmatrix}`
    TEXT = "text"  # `\text{const}`, `\operatorname{tr}`, `\mathrm{d}`
    FONT = "font"  # `\mathbf{x}`, `\hat{\mu}`: part of a symbol's name


@dataclass(frozen=True)
class Command:
    action: Action
    token: str = ""
    value: str | None = None  # the token's value; None means the command's name
    arguments: int = 0  # braced arguments that follow, as for `\frac` (2) and `\sqrt` (1)


GREEK = {
    "alpha", "beta", "gamma", "delta", "epsilon", "varepsilon", "zeta", "eta", "theta",
    "vartheta", "iota", "kappa", "lambda", "mu", "nu", "xi", "pi", "varpi", "rho", "varrho",
    "sigma", "varsigma", "tau", "upsilon", "phi", "varphi", "chi", "psi", "omega", "Gamma",
    "Delta", "Theta", "Lambda", "Xi", "Pi", "Sigma", "Upsilon", "Phi", "Psi", "Omega", "ell",
}  # fmt: skip
FUNCTIONS = {
    "log", "ln", "exp", "sin", "cos", "tan", "cot", "sec", "csc", "arcsin", "arccos",
    "arctan", "sinh", "cosh", "tanh", "coth", "det", "max", "min",
}  # fmt: skip
# Words that `\operatorname{…}` names as known functions (verify.meaning.functions).
FUNCTION_WORDS = {
    "sign", "sgn", "arsinh", "arcosh", "artanh", "arcoth", "arcsinh", "arccosh", "arctanh",
    "arccoth", "arccot", "arcsec", "arccsc", "floor", "ceil",
}  # fmt: skip
NAMED_OPERATORS = {"tr": "tr", "Tr": "tr", "trace": "tr", "diag": "diag", "det": "det",
                   "vec": "vec"}  # fmt: skip
FONTS = {
    "mathbf", "boldsymbol", "bm", "mathcal", "mathbb", "mathrm", "mathsf", "mathit",
    "mathfrak", "hat", "bar", "tilde", "vec", "widehat", "widetilde", "overline", "dot",
}  # fmt: skip
TEXTS = {"text", "textrm", "mathrm", "operatorname", "textup", "mathsf"}
CONST_WORDS = {"const", "constant", "const.", "cst"}
# Words of probability that `\operatorname{…}`, `\mathrm{…}` or `\text{…}` make into an
# operator name, spelled one way: `\mathrm{KL}`, `\operatorname{var}`, `\text{Categorical}`.
PROBABILITY_WORDS = {
    "KL": "KL", "Var": "Var", "var": "Var", "Cov": "Cov", "cov": "Cov",
    "Categorical": "Categorical", "Cat": "Categorical", "Bernoulli": "Bernoulli",
    "Bern": "Bernoulli",
}  # fmt: skip
# Fonts whose multi-letter argument is a name (`\mathrm{ELBO}`), not text.
NAME_FONTS = {"mathrm", "mathsf"}
SPACING = {",", ";", ":", "!", " ", "quad", "qquad", "enspace", "thinspace", "displaystyle",
           "textstyle", "limits", "nolimits", "medspace", "thickspace"}  # fmt: skip
SIZING = {"big", "Big", "bigg", "Bigg", "bigl", "bigr", "Bigl", "Bigr", "biggl", "biggr",
          "Biggl", "Biggr", "bigm", "Bigm"}  # fmt: skip
MATRIX_ENVS = {"matrix", "pmatrix", "bmatrix", "Bmatrix", "vmatrix", "Vmatrix", "array"}
# Symbols that, directly before `\{`, make an indicator: `1\{y = j\}`, `\mathbb{1}\{x > 0\}`.
INDICATORS = {"1", "\\mathbb{1}", "\\mathbf{1}", "\\mathrm{1}"}


def _token(token: str, value: str | None = None, arguments: int = 0) -> Command:
    return Command(Action.TOKEN, token, value, arguments)


COMMANDS: dict[str, Command] = {
    **{name: Command(Action.SKIP) for name in SPACING},
    **{name: Command(Action.SIZED) for name in ("left", "right", *SIZING)},
    **{name: Command(Action.VERT) for name in ("lvert", "rvert", "lVert", "rVert", "vert", "Vert")},
    **{name: _token("FUNC") for name in FUNCTIONS},
    **{name: _token("SYMBOL", "\\" + name) for name in GREEK},
    **{name: Command(Action.FONT) for name in FONTS},
    **{name: Command(Action.TEXT) for name in TEXTS},
    "|": Command(Action.NORM_BAR),
    "{": _token("LCURLY", "\\{"),
    "}": _token("RCURLY", "\\}"),
    "langle": _token("LANGLE"),
    "rangle": _token("RANGLE"),
    "cdot": _token("MUL"),
    "times": _token("MUL"),
    "ast": _token("MUL"),
    "odot": _token("ODOT"),
    "otimes": _token("MUL"),
    "backslash": _token("MUL"),  # `A \backslash b`: the solution of A x = b
    "top": _token("TRANSPOSE"),
    "intercal": _token("TRANSPOSE"),
    "prime": _token("PRIME", "'"),
    "mid": _token("GIVEN", "|"),
    "ne": _token("NEQ"),
    "wedge": _token("WEDGE"),
    "land": _token("WEDGE"),
    "sim": _token("SIM"),
    "in": _token("IN"),
    "neq": _token("NEQ"),
    "infty": _token("INFTY"),
    "partial": _token("PARTIAL"),
    "nabla": _token("NABLA"),
    "sum": _token("SUM"),
    "prod": _token("PROD"),
    "frac": _token("FRAC", arguments=2),
    "dfrac": _token("FRAC", arguments=2),
    "tfrac": _token("FRAC", arguments=2),
    "sqrt": _token("SQRT", arguments=1),
    "binom": _token("BINOM", arguments=2),
    "dbinom": _token("BINOM", arguments=2),
    "tbinom": _token("BINOM", arguments=2),
    "lfloor": _token("LFLOOR"),
    "rfloor": _token("RFLOOR"),
    "lceil": _token("LCEIL"),
    "rceil": _token("RCEIL"),
    "le": _token("LE"),
    "leq": _token("LE"),
    "ge": _token("GE"),
    "geq": _token("GE"),
    "lt": _token("LT"),
    "gt": _token("GT"),
    "begin": Command(Action.ENVIRONMENT),
    "end": Command(Action.ENVIRONMENT),
    "\\": _token("ROWSEP", "\\\\"),
}

# Single characters, as the grammar names them.
CHARACTERS = {
    "+": "PLUS", "-": "MINUS", "*": "MUL", "/": "DIV", "^": "CARET",
    "_": "UNDERSCORE", "(": "LPAREN", ")": "RPAREN", "[": "LBRACK",
    "]": "RBRACK", "{": "LBRACE", "}": "RBRACE", ",": "COMMA", ";": "SEMI",
    "=": "EQUALS", "&": "AMP", "'": "PRIME", "!": "BANG", "<": "LT", ">": "GT",
}  # fmt: skip

# Tokens after which a `|` closes rather than opens: they end an operand.
OPERAND_ENDS = {
    "NUMBER", "LETTER", "SYMBOL", "RPAREN", "RBRACK", "RBRACE", "RCURLY", "BAR_CLOSE",
    "NORM_CLOSE", "RANGLE", "PRIME", "TRANSPOSE", "CONST", "END_MATRIX", "INFTY", "RFLOOR",
    "RCEIL", "BANG",
}  # fmt: skip
