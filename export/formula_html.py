"""The landscapes' LaTeX as plain HTML (Unicode letters, ``<sup>``, ``<sub>``), for pages that must
work with no network and no math library: the offline lesson pack.

Covers the subset the app writes (``\\tfrac``, ``\\sqrt``, ``\\left(``, ``\\lVert``, Greek letters,
``\\sum``, powers and indices, SymPy's ``\\sin{\\left(x \\right)}``); an unknown command keeps
its name without the backslash, so nothing is lost.
"""

from __future__ import annotations

import html

SYMBOLS = {
    "alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "varepsilon": "ε", "epsilon": "ε", "eta": "η",
    "theta": "θ", "kappa": "κ", "lambda": "λ", "mu": "μ", "pi": "π", "rho": "ρ", "sigma": "σ", "tau": "τ",
    "sum": "Σ", "prod": "∏", "in": "∈", "cdot": "·", "times": "×", "infty": "∞", "leq": "≤", "geq": "≥",
    "lVert": "‖", "rVert": "‖", "Vert": "‖", "nabla": "∇", "partial": "∂",
    ",": "\u2009", ";": "\u2005", ":": "\u2005", "quad": "\u2003", "qquad": "\u2003\u2003", " ": " ",
    "{": "{", "}": "}", "left": "", "right": "", "big": "", "Big": "", "operatorname": "",
}  # fmt: skip
FUNCTIONS = {"sin", "cos", "tan", "exp", "log", "ln", "tanh", "sinh", "cosh", "max", "min", "arctan", "atan"}


class _Reader:
    def __init__(self, tex: str) -> None:
        self.s, self.i = tex, 0

    def group(self) -> str:
        """The next ``{...}`` group or single token, converted."""
        while self.i < len(self.s) and self.s[self.i] == " ":
            self.i += 1
        if self.i < len(self.s) and self.s[self.i] == "{":
            self.i += 1
            return self.until("}")
        return self.token()

    def until(self, end: str | None) -> str:
        out = []
        while self.i < len(self.s):
            if end is not None and self.s[self.i] == end:
                self.i += 1
                break
            out.append(self.token())
        return "".join(out)

    def token(self) -> str:
        c = self.s[self.i]
        self.i += 1
        if c == "{":
            return self.until("}")
        if c == "^":
            return f"<sup>{self.group()}</sup>"
        if c == "_":
            return f"<sub>{self.group()}</sub>"
        if c != "\\":
            return html.escape(c)
        j = self.i
        while j < len(self.s) and self.s[j].isalpha():
            j += 1
        name = self.s[self.i : j] or self.s[self.i : self.i + 1]
        self.i += len(name)
        if name in ("frac", "tfrac", "dfrac"):
            num, den = self.group(), self.group()
            wrap = lambda t: t if len(html.unescape(t)) == 1 or t.isalnum() else f"({t})"  # noqa: E731
            return f"{wrap(num)}/{wrap(den)}"
        if name == "sqrt":
            return f"√({self.group()})"
        if name in FUNCTIONS:
            return f"\u2009{name}\u2009"
        return SYMBOLS.get(name, name)


def latex_to_html(tex: str) -> str:
    """HTML text of a LaTeX formula (no markup beyond ``<sup>``/``<sub>``; safe to embed)."""
    return " ".join(_Reader(tex).until(None).split(" ")).replace("  ", " ").strip()
