"""Lesson: inside the optimizer — one run stepped through, with its gradient, state and step sizes."""

from __future__ import annotations

import numpy as np
import streamlit as st

st.set_page_config(layout="wide", page_title="Inside the optimizer")

import pandas as pd  # noqa: E402

import landscapes  # noqa: E402
import optimizers  # noqa: E402
from analysis.internals import (  # noqa: E402
    LANDSCAPES,
    OPTIMIZERS,
    InternalsSettings,
    Trace,
    clamp_step,
    step_rows,
    trace_lesson,
)
from figures.internals import bias_figure, effective_lr_figure, internals_contour, state_figure  # noqa: E402
from scenes import spec  # noqa: E402
from ui import compute, lesson, page  # noqa: E402
from ui.charts import chart, side_by_side  # noqa: E402
from ui.race_link import lesson_scene, open_as_race  # noqa: E402
from ui.widgets import stacked  # noqa: E402

KEY = "internals"
S = InternalsSettings
STEP_KEY = f"{KEY}.step"
CONTOUR_PRESENTING = 380  # px: the contour's height presenting (``lesson.PRESENTING_HEIGHT`` is 440)

# what the state of each family means and what to look for
EXPLAIN: dict[str, str] = {
    "sgd": "Plain gradient descent keeps **no state**: the step is always −η·g, so the actual step "
    "points exactly along the negative gradient and the effective step size equals η in both coordinates.",
    "momentum": "The **momentum buffer** b is a running sum of past gradients (b = μ·b + g). The step follows "
    "−b, not −g: where the gradient keeps its sign the buffer grows to about g/(1 − μ) (up to 10× for "
    "μ = 0.9); where it flips (across a ravine) the contributions cancel. Watch the arrows disagree.",
    "nesterov": "Nesterov's buffer is the same as heavy ball's, but the step uses g + μ·b: a correction by the "
    "current gradient, like looking ahead to where the momentum is about to carry the point.",
    "adagrad": "The **accumulator** G adds up every squared gradient, so it only grows: each coordinate's step "
    "size η/√G shrinks forever, fastest where gradients have been large. Good on a plateau's start, "
    "too timid later.",
    "adadelta": "Adadelta keeps running means of g² and of the squared updates Δx²; their ratio sets the step, "
    "so the units work out without a learning rate (η = 1). It starts with tiny steps, √ε-sized.",
    "rmsprop": "RMSprop's **E[g²]** is a running mean (decay α) of squared gradients: unlike Adagrad's sum it "
    "forgets, so the per-coordinate step η/√E[g²] adapts up and down. Coordinates with steep walls "
    "get small steps, flat ones large steps.",
    "adam": "Adam keeps both a running mean of gradients **m** (momentum) and of squared gradients **v** "
    "(RMSprop). Both start at 0, so early on they are too small: dividing by 1 − βᵗ (bias correction) "
    "fixes it. After step 1, m̂ = g exactly and the step is about η·sign(g) per coordinate.",
}
EXPLAIN["amsgrad"] = EXPLAIN["adam"] + " AMSGrad divides by the largest v seen so far, so steps never grow back."
EXPLAIN["adamw"] = EXPLAIN["adam"] + " AdamW also shrinks p by the factor 1 − η·λ before each step (weight decay)."
EXPLAIN["adamax"] = (
    "Adamax replaces Adam's √v by an exponentially weighted infinity norm u = max(β₂·u, |g|): "
    "the step is η·m̂/u, at most about η per coordinate."
)
EXPLAIN["nadam"] = EXPLAIN["adam"] + " NAdam applies the momentum Nesterov-style (a look-ahead on m)."
EXPLAIN["radam"] = (
    EXPLAIN["adam"] + " RAdam rectifies the adaptive step while v is still unreliable: for the first "
    "few steps it takes plain bias-corrected momentum steps η·m̂."
)
EXPLAIN["rprop"] = (
    "Rprop ignores the gradient's size: each coordinate has its own **step size** s (η at first) that grows "
    "×1.2 while the gradient keeps its sign and halves when it flips (that coordinate then skips a step). "
    "Watch the step sizes shrink across the ravine and grow along it."
)
EXPLAIN["asgd"] = (
    "ASGD takes SGD steps with a rate that decays as η/(1 + λ·η·t)^α and keeps the **averaged iterate** p̄; "
    "with torch's defaults the averaging starts only at step t₀ = 10⁶, so p̄ equals the point."
)
EXPLAIN["adafactor"] = (
    "Adafactor keeps only a second moment **v**, averaged with weight t^(−0.8) (so early steps trust the "
    "newest gradients), and scales its step by the size of the point itself, rms(p), capped by "
    "min(η, 1/√t). For a matrix torch stores v as a row and a column factor; a run's point here is a vector, "
    "so v is kept whole, as torch does for vectors."
)
EXPLAIN["signsgd"] = (
    "Sign descent keeps **no state** and moves every coordinate by exactly η against the gradient's sign: "
    "the path runs along diagonals and ends oscillating by η around the minimum."
)
EXPLAIN["lion"] = (
    "Lion keeps one **momentum** m. Its step is η·sign(β₁·m + (1 − β₁)·g): every coordinate moves by exactly η, "
    "in a direction that mixes the momentum and the new gradient; m itself decays more slowly (β₂)."
)


@st.cache_data(max_entries=32, show_spinner=False)
def run_trace(settings: InternalsSettings) -> Trace:
    return trace_lesson(settings)


def opt_title(kind: str) -> str:
    return optimizers.optimizer_class(kind).title


lesson.start_page(S, KEY)
ss = st.session_state
with st.sidebar:
    st.header("The run")
    lesson.choice(S, KEY, "landscape", "Landscape", list(LANDSCAPES), format_func=lambda k: landscapes.get(k).title)
    lesson.choice(S, KEY, "optimizer", "Optimizer", list(OPTIMIZERS), format_func=opt_title)
    kind = ss[f"{KEY}.optimizer"]
    fields = {f for f in optimizers.optimizer_class(kind).__dataclass_fields__}
    lesson.toggle(S, KEY, "suggested_lr", "Suggested learning rate")
    lesson.number(S, KEY, "lr", "Learning rate η", disabled=bool(ss.get(f"{KEY}.suggested_lr", True)))
    if kind in ("momentum", "nesterov"):
        lesson.number(S, KEY, "momentum", "Momentum μ")
    if "beta1" in fields:
        lesson.number(S, KEY, "beta1", "β₁ (first moment)")
    if "beta2" in fields:
        lesson.number(S, KEY, "beta2", "β₂ (second moment)")
    if "rho" in fields:
        lesson.number(S, KEY, "rho", "ρ (decay of the running means)")
    if kind == "rmsprop":
        lesson.number(S, KEY, "alpha", "α (decay of E[g²])")
    lesson.start_controls(S, KEY)
    lesson.number(S, KEY, "steps", "Steps", help="at most 2000")
settings = lesson.finish_settings(S, KEY)

st.title("Inside the optimizer")
with lesson.intro():  # presenting: folded, the main chart on the first screen
    st.markdown(
        "One run, stepped through. At every step the optimizer receives a gradient g, updates its **state** "
        "(momentum buffers, running means of g and g²) and moves the point. Move the step slider to see, at the "
        "current point, where the gradient points, where the accumulated state pushes, and where the point "
        "actually goes."
    )

trace = page.run_or_stop(lambda: run_trace(settings.run_settings()))

config = trace.config
presenting = page.presentation_requested()


def update_rule() -> None:
    """The optimizer's update rule and what its state means."""
    if presenting:
        st.markdown(f"**{config.title}: the update rule**")
    else:
        st.subheader(f"{config.title}: the update rule")
    st.latex(stacked(config.rule))  # one equation a line: Adam's ran off an 800 px page
    st.markdown(EXPLAIN.get(settings.optimizer, ""))
    st.caption(
        f"Learning rate η = {settings.learning_rate:g}"
        + (" (suggested)" if settings.suggested_lr else "")
        + f"; the run {trace.status}."
    )


if not presenting:  # presenting: beside the contour, so that the first screen holds it and its slider
    update_rule()
if trace.status.startswith(("diverged", "left")):
    st.warning(f"The run {trace.status}. A smaller learning rate keeps it on the landscape.")


@st.fragment
def stepped(trace: Trace, settings: InternalsSettings) -> None:
    """Everything that depends on the shown step, rerun alone when the step slider moves (a Streamlit
    fragment: the run, the sidebar and the text above are not redone or resent)."""
    # --- the step slider ---------------------------------------------------------------------------
    n = trace.n_steps
    step, warning = clamp_step(int(ss.get(STEP_KEY, settings.step)), n)
    if n <= 1 and (len(trace.grads) == 0 or np.hypot(*trace.grads[0]) < 1e-12):
        st.info(
            "The run starts at a point where the gradient is zero (a minimum or a saddle), so the "
            "optimizer never moves. Start elsewhere to watch it work."
        )
    elif warning:
        st.warning(warning)
    if warning:
        ss[STEP_KEY] = step
    if n > 1:
        st.slider("Step $t$ (the update from $p_{t-1}$ to $p_t$)", min_value=1, max_value=n, key=STEP_KEY)
        step = int(ss[STEP_KEY])
    else:
        ss[STEP_KEY] = 1
        st.caption("The run took a single step.")
    settings = lesson.finish_settings(S, KEY, room_bar=False)  # the shown step in the URL too

    style = lesson.figure_style()
    grid = compute.landscape_grid(trace.landscape)
    left, right = side_by_side()
    with left:
        # presenting, a lower contour: under the title and the step slider its plot ends inside 720 px
        contour = internals_contour(
            trace, grid, step, lesson.figure_style(height=CONTOUR_PRESENTING) if presenting else style
        )
        chart(contour, f"inside-{settings.optimizer}-step-{step}", "internals_contour")
    with right:
        if presenting:
            update_rule()
        st.markdown(
            f"**Step {step}.** Arrows start at the current point p<sub>{step - 1}</sub> and all have the same "
            "drawn length: they show **directions** (their sizes are in the legend and the table).\n"
            "- orange: the negative gradient −g, steepest descent here;\n"
            + (
                "- green: " + trace.velocity_name + ", where the accumulated past pushes;\n"
                if trace.velocity is not None
                else ""
            )
            + "- black: the step the optimizer actually took, to the open circle p<sub>t</sub>.",
            unsafe_allow_html=True,
        )
        st.dataframe(
            pd.DataFrame(step_rows(trace, step)),
            hide_index=True,
            width="stretch",
            column_config={
                "x": st.column_config.NumberColumn(format="%.4g"),
                "y": st.column_config.NumberColumn(format="%.4g"),
            },
        )

    # --- state over time ---------------------------------------------------------------------------
    st.header("The state over time")
    sfig = state_figure(trace, step, style)
    chart(sfig, f"inside-{settings.optimizer}-state", "internals_state")
    if not trace.state:
        st.caption("Plain SGD keeps no state: only the gradient is shown.")

    # --- bias correction ---------------------------------------------------------------------------
    st.header("Bias correction")
    bfig = bias_figure(trace, step, style)
    if bfig is None:
        st.markdown(
            "This optimizer keeps no bias-corrected moments. Choose **Adam** (or AMSGrad, AdamW, Adamax, "
            "NAdam, RAdam) to see m and v against m̂ and v̂."
        )
    else:
        st.markdown(
            "m and v are exponentially weighted averages that start at 0, so early on they are pulled toward 0: "
            "after one step m = (1 − β₁)·g, only a tenth of g for β₁ = 0.9, and v = (1 − β₂)·g², a thousandth "
            "of g². Dividing by 1 − βᵗ removes that start-up bias exactly (m̂ = g after step 1) and matters less "
            "and less as βᵗ → 0: after about 1/(1 − β) steps (10 for m, 1000 for v) the curves meet."
        )
        st.latex(r"\hat m_t = \frac{m_t}{1-\beta_1^t},\qquad \hat v_t = \frac{v_t}{1-\beta_2^t}")
        chart(bfig, f"inside-{settings.optimizer}-bias", "internals_bias")

    # --- effective step size -----------------------------------------------------------------------
    st.header("Effective step size per coordinate")
    st.markdown(
        "How far the point moved in each coordinate per unit of gradient. For plain SGD it is η in both "
        "coordinates at every step; momentum makes it larger where gradients agree from step to step; adaptive "
        "methods give each coordinate its own value (small along steep walls, large along flat directions). "
        "Spikes appear where a gradient coordinate passes through 0 while the point still moves."
    )
    st.latex(r"\eta^{\mathrm{eff}}_{t,i} = \frac{\lvert p_{t,i} - p_{t-1,i}\rvert}{\lvert g_{t,i}\rvert}")
    efig = effective_lr_figure(trace, step, style)
    chart(efig, f"inside-{settings.optimizer}-step-size", "internals_eff")


stepped(trace, settings)

# --- open as a race ----------------------------------------------------------------------------
scene = lesson_scene(
    settings.landscape, [spec(settings.optimizer, **settings.hyperparameters())], settings.start(), settings.steps
)
open_as_race(
    scene, "Open this run as a race", help="the same run on the race page, to compare it with other optimizers"
)
