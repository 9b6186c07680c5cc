"""The projector's leaderboard and the spread of learning rates, from stored submissions (plain
data: no Streamlit, no Plotly)."""

from __future__ import annotations

import math
from collections.abc import Sequence

import pandas as pd

from classroom.challenges import UNITS
from classroom.records import Submission


def settings_text(hparams: dict[str, float]) -> str:
    """``lr=0.05, momentum=0.9``."""
    return ", ".join(f"{k}={v:g}" for k, v in sorted(hparams.items()))


def display_names(subs: Sequence[Submission], hide: bool) -> list[str]:
    """Each submission's nickname, or with ``hide`` "Student n" numbered by first submission."""
    if not hide:
        return [s.nickname for s in subs]
    order: dict[int, int] = {}
    for s in subs:
        order.setdefault(s.member_id, len(order) + 1)
    return [f"Student {order[s.member_id]}" for s in subs]


def leaderboard(subs: Sequence[Submission], kind: str, hide_names: bool, revealed: bool) -> pd.DataFrame:
    """One row per submission. Revealed: ranked by score (lower is better; no score last, ties by
    time), with the score; not revealed: in order of arrival, without scores."""
    names = display_names(subs, hide_names)
    rows = [
        {
            "id": s.id,
            "nickname": n,
            "optimizer": s.optimizer,
            "settings": settings_text(s.hparams),
            "score": s.score,
            "status": s.status,
            "_t": s.created,
        }
        for s, n in zip(subs, names, strict=True)
    ]
    df = pd.DataFrame(rows, columns=["id", "nickname", "optimizer", "settings", "score", "status", "_t"])
    if revealed:
        df["_missing"] = df["score"].isna()
        df = df.sort_values(["_missing", "score", "_t", "id"], kind="stable").drop(columns="_missing")
        df.insert(0, "rank", range(1, len(df) + 1))
        df = df.rename(columns={"score": f"score ({UNITS.get(kind, 'score')})"})
    else:
        df = df.drop(columns="score")
    return df.drop(columns="_t").reset_index(drop=True)


def lr_values(subs: Sequence[Submission]) -> tuple[list[str], list[float]]:
    """Optimizer names and learning rates of the submissions (finite, positive ones only)."""
    pairs = [(s.optimizer, float(s.hparams.get("lr", math.nan))) for s in subs]
    pairs = [(o, lr) for o, lr in pairs if math.isfinite(lr) and lr > 0]
    return [o for o, _ in pairs], [lr for _, lr in pairs]
