"""Plain-torch update rules for the "Reproduce in PyTorch" script: the runs that ``torch.optim``
has no optimizer for (Newton, BFGS, conjugate gradient, coordinate descent, Lion, sign descent).

Each rule is the source of a small function ``rule(p, g, state, lr, **hyper) -> new p`` over one
point ``p`` (a float64 tensor of shape ``(2,)``), transcribed from ``optimizers/second_order.py``
and ``optimizers/sign_methods.py`` with the same constants, line search and order of arithmetic;
``PlainTorch`` wraps a rule as a ``torch.optim.Optimizer`` so the script's ``race`` loop and
``torch.optim.lr_scheduler`` drive it like any twin. ``rule_sources(kinds)`` gives only what the
given kinds need, each helper once.
"""

from __future__ import annotations

from optimizers.second_order import MAX_HALVINGS, REFITS

# the function name of each kind's rule in the script
RULE_NAMES: dict[str, str] = {
    "newton": "newton",
    "bfgs": "bfgs",
    "cg": "conjugate_gradient",
    "coordinate": "coordinate_descent",
    "lion": "lion",
    "signsgd": "sign_descent",
}

_PLAIN = '''
class PlainTorch(torch.optim.Optimizer):
    """An update rule torch.optim does not ship, as an optimizer, so that race() and the lr
    schedulers drive it like any other: p <- rule(p, grad, state, lr, **hyper)."""

    def __init__(self, params, rule, lr, **hyper):
        super().__init__(params, {"lr": lr})
        self.rule, self.hyper = rule, hyper

    @torch.no_grad()
    def step(self, closure):
        with torch.enable_grad():
            loss = closure()
        for group in self.param_groups:
            for p in group["params"]:
                p.copy_(self.rule(p.clone(), p.grad.clone(), self.state[p], group["lr"], **self.hyper))
        return loss
'''

_HELPERS: dict[str, str] = {
    "dot": '''
def dot(a, b):
    """a.b for two 2-vectors, summed in the app's order."""
    return a[0] * b[0] + a[1] * b[1]
''',
    "hessian": '''
def hessian(p):
    """The 2x2 Hessian of f at p (autograd)."""
    return torch.autograd.functional.hessian(lambda q: f(q[0], q[1]), p)
''',
    "solve2": '''
def solve2(H, g):
    """H^-1 g for a 2x2 H by Cramer's rule (not finite where H is singular)."""
    det = H[0, 0] * H[1, 1] - H[0, 1] * H[1, 0]
    return torch.stack([(H[1, 1] * g[0] - H[0, 1] * g[1]) / det, (H[0, 0] * g[1] - H[1, 0] * g[0]) / det])
''',
    "line_search": f'''
def line_search(p, f0, g, d, a, c1, refine):
    """The app's backtracking Armijo line search along d from p: the step alpha (0 where it fails).
    First trial a; with refine, up to {REFITS} trials at the minimizer of the quadratic through f0,
    g.d and the last trial (4 a where it has no minimum but went downhill), keeping the lowest;
    then, while f(p + a d) > f0 + c1 a g.d, a shrinks to that quadratic's minimizer kept in
    [0.1 a, 0.5 a], at most {MAX_HALVINGS} times. Scalars are 0-d tensors (x / 0 gives inf, as in NumPy)."""
    gd = dot(g, d)
    if not (torch.isfinite(f0) and torch.isfinite(gd)):
        return a
    a = torch.tensor(float(a))

    def fit(a, fa):  # minimizer and curvature of the quadratic q(0) = f0, q'(0) = gd, q(a) = fa
        curv = (fa - f0 - gd * a) / (a * a)
        return -gd / (2.0 * curv), curv

    fa = f(*(p + a * d))
    best_a, best_f, moving = a, fa, True
    for _ in range({REFITS} if refine else 0):
        aq, curv = fit(a, fa)
        if not curv > 0 and fa < f0:
            aq = 4.0 * a
        rel = (aq - a).abs() / a
        if not (moving and torch.isfinite(aq) and aq > 0 and rel > 1e-8):
            break
        a, fa = aq, f(*(p + aq * d))
        if torch.isfinite(fa) and not best_f <= fa:
            best_a, best_f = a, fa
        moving = rel > 1e-2
    a, fa = best_a, best_f
    for k in range({MAX_HALVINGS + 1}):
        if k > 0:
            aq, _ = fit(a, fa)
            a = torch.minimum(torch.maximum(aq, 0.1 * a), 0.5 * a) if torch.isfinite(aq) else 0.5 * a
            fa = f(*(p + a * d))
        if torch.isfinite(fa) and fa <= f0 + c1 * a * gd:
            return a
    return 0.0
''',
}

_RULES: dict[str, tuple[tuple[str, ...], str]] = {  # kind: (helpers it needs, source)
    "newton": (
        ("hessian", "solve2"),
        '''
def newton(p, g, state, lr, damping, saddle_free):
    """Newton (torch.optim has none): p -= lr (H + damping I)^-1 g; saddle-free: |H| = V |eig| V^T
    in place of H. Where the solve is not finite, a gradient step p -= lr g."""
    H = hessian(p)
    if saddle_free and torch.isfinite(H).all():
        w, V = torch.linalg.eigh(0.5 * (H + H.T))
        H = V @ torch.diag(w.abs()) @ V.T
    step = solve2(H + damping * torch.eye(2), g)
    return p - lr * (step if torch.isfinite(step).all() else g)
''',
    ),
    "bfgs": (
        ("dot", "line_search"),
        '''
def bfgs(p, g, state, lr, c1, refine):
    """BFGS (torch.optim has only L-BFGS): d = -H g with H the inverse-Hessian estimate (identity
    at first, scaled by s.y / y.y after the first step), p += a d with a from line_search starting
    at lr; H is reset to the identity where d is not downhill or the search fails."""
    H = state.get("H", torch.eye(2))
    if state:
        s, y = p - state["p"], g - state["g"]
        sy = dot(s, y)
        if torch.isfinite(sy) and sy > 1e-12 and torch.isfinite(s).all() and torch.isfinite(y).all():
            r = 1.0 / sy
            if state["count"] == 1:
                H = sy / dot(y, y) * torch.eye(2)
            A = torch.eye(2) - torch.outer(r * s, y)
            H = A @ H @ A.T + torch.outer(r * s, s)
    d = -(H @ g)
    if not dot(g, d) < 0:
        d, H = -g, torch.eye(2)
    a = line_search(p, f(*p), g, d, lr, c1, refine)
    if a == 0.0:
        H = torch.eye(2)
    state.update(H=H, p=p, g=g, count=state.get("count", 0) + 1)
    return p + a * d
''',
    ),
    "cg": (
        ("dot", "line_search"),
        '''
def conjugate_gradient(p, g, state, lr, c1, restart, variant, refine):
    """Nonlinear conjugate gradient (torch.optim has none): d = -g + beta d_prev with Fletcher-Reeves
    beta = g.g / g'.g' or Polak-Ribiere+ max(0, g.(g - g') / g'.g'); steepest descent every
    `restart` steps and wherever d is not downhill; p += a d with a from line_search."""
    count = state.get("count", 0)
    d = -g
    if count % restart != 0:
        g_prev, d_prev = state["g"], state["d"]
        num = dot(g, g) if variant == "fletcher_reeves" else dot(g, g - g_prev)
        beta = num / dot(g_prev, g_prev)
        if variant == "polak_ribiere":
            beta = torch.clamp(beta, min=0.0)
        if torch.isfinite(beta) and dot(g, -g + beta * d_prev) < 0:
            d = -g + beta * d_prev
    a = line_search(p, f(*p), g, d, lr, c1, refine)
    state.update(d=d, g=g, count=count + 1)
    return p + a * d
''',
    ),
    "coordinate": (
        ("hessian",),
        '''
def coordinate_descent(p, g, state, lr, exact):
    """Coordinate descent (torch.optim has none): x on odd steps, y on even ones, p_i -= lr g_i;
    exact: p_i -= g_i / |H_ii| (lr only where |H_ii| <= 1e-8)."""
    i = state.get("count", 0) % 2
    state["count"] = state.get("count", 0) + 1
    step = lr * g[i]
    if exact:
        h = hessian(p)[i, i].abs()
        if torch.isfinite(h) and h > 1e-8:
            step = g[i] / h
    p[i] -= step
    return p
''',
    ),
    "lion": (
        (),
        '''
def lion(p, g, state, lr, beta1, beta2, weight_decay):
    """Lion (Chen et al. 2023; torch.optim has none): c = b1 m + (1 - b1) g,
    p -= lr (sign(c) + wd p), m = b2 m + (1 - b2) g, m = 0 at first."""
    m = state.get("m", torch.zeros_like(p))
    c = beta1 * m + (1.0 - beta1) * g
    state["m"] = beta2 * m + (1.0 - beta2) * g
    return p - lr * (torch.sign(c) + weight_decay * p)
''',
    ),
    "signsgd": (
        (),
        '''
def sign_descent(p, g, state, lr):
    """Sign descent (torch.optim has none): p -= lr sign(g)."""
    return p - lr * torch.sign(g)
''',
    ),
}


def rule_sources(kinds: set[str]) -> str:
    """The script's source for the plain-torch rules of ``kinds`` (those in ``RULE_NAMES``): the
    ``PlainTorch`` wrapper, the helpers they need (once each) and the rules; ``""`` for none."""
    kinds = [k for k in RULE_NAMES if k in kinds]
    if not kinds:
        return ""
    needed = {h for k in kinds for h in _RULES[k][0]}
    if "line_search" in needed:
        needed.add("dot")
    helpers = [src for name, src in _HELPERS.items() if name in needed]
    parts = [_PLAIN, *helpers, *(_RULES[k][1] for k in kinds)]
    return "\n\n\n".join(p.strip("\n") for p in parts) + "\n"


__all__ = ["RULE_NAMES", "rule_sources"]
