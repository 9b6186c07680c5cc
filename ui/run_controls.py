"""The "Runs" block of widgets the run lessons share (batch size, schedules, second-order methods):
landscape, own start and steps; with ``optimizers``, the noisy lessons' optimizer, suggested
learning rate and noise σ, and seeds.

The settings class declares the fields ``landscape``, ``custom_start``, ``start_x``, ``start_y``,
``steps``; with ``optimizers`` also ``optimizer``, ``suggested``, ``lr``, ``sigma``, ``seeds``, ``seed``.
"""

from __future__ import annotations

from collections.abc import Iterable

import streamlit as st

from ui import lesson


def run_controls(
    cls: type,
    page_key: str,
    landscapes: Iterable[str],
    optimizers: Iterable[str] | None = None,
    *,
    lr_label: str = "Learning rate",
    sigma_label: str = "Gradient noise σ",
    sigma_help: str | None = None,
    seeds_label: str = "Seeds",
    seeds_help: str | None = None,
) -> None:
    """The block under a "Runs" header in the sidebar; the learning rate and σ are disabled while
    the landscape's suggested values are used."""
    noisy = optimizers is not None
    st.header("Runs")
    lesson.choice(cls, page_key, "landscape", "Landscape", list(landscapes))
    if noisy:
        lesson.choice(cls, page_key, "optimizer", "Optimizer", list(optimizers))
        lesson.toggle(cls, page_key, "suggested", "Suggested learning rate and σ for this landscape")
        fixed = bool(st.session_state.get(f"{page_key}.suggested", True))
        lesson.number(cls, page_key, "lr", lr_label, disabled=fixed)
        lesson.number(cls, page_key, "sigma", sigma_label, disabled=fixed, help=sigma_help)
    lesson.start_controls(cls, page_key)
    lesson.number(cls, page_key, "steps", "Steps")
    if noisy:
        lesson.number(cls, page_key, "seeds", seeds_label, help=seeds_help)
        lesson.number(cls, page_key, "seed", "Base seed")
