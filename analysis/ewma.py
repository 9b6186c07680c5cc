"""Exponentially weighted moving averages (EWMA) on a noisy temperature-like series.

``v_t = beta v_{t-1} + (1 - beta) theta_t`` with ``v_0 = 0`` (t = 1 .. n), unrolled
``v_t = sum_{k=0}^{t-1} (1 - beta) beta^k theta_{t-k}``: weights ``(1 - beta) beta^k`` that sum to
``1 - beta^t``, hence the bias correction ``v_t / (1 - beta^t)``. The weights fall to ``1/e`` of the
first at ``k = -1 / ln(beta) ≈ 1 / (1 - beta)``, the "effective window".

The raw averages come from ``scipy.signal.lfilter`` (one call per beta, vectorized over time; a
handful of betas). The bias-corrected ones are computed in their own recursive form,
``v̂_t = v̂_{t-1} + k_t (theta_t - v̂_{t-1})`` with gain ``k_t = (1 - beta) / (1 - beta^t)`` (a loop over
time with arrays over betas), which equals ``v_t / (1 - beta^t)`` and is exact where it should be:
``k_1 = 1`` gives ``v̂_1 = theta_1`` bit for bit, and a constant series stays exactly constant.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.signal import lfilter

from optimizers import RunOptions
from settings import check_fields, hyper, same_as

Array = np.ndarray

FIXED_BETAS = (0.5, 0.9, 0.98)
MAX_DAYS = 1000
YEAR = 365.0


@dataclass(frozen=True)
class EwmaSettings:
    """What the EWMA page computes from (its widgets and URL)."""

    beta: float = hyper(0.95, lo=0.0, hi=0.999, label="your beta")
    days: int = hyper(365, lo=10, hi=MAX_DAYS, label="days")
    mean: float = hyper(12.0, lo=-50.0, hi=50.0, label="mean temperature")
    amplitude: float = hyper(10.0, lo=0.0, hi=50.0, label="seasonal amplitude")
    noise: float = hyper(4.0, lo=0.0, hi=50.0, label="noise σ")
    seed: int = same_as(RunOptions, "seed")
    zoom: int = hyper(60, lo=5, hi=MAX_DAYS, label="days in the start-up view")
    log_weights: bool = False  # weights on a log axis

    def __post_init__(self) -> None:
        check_fields(self)

    @property
    def betas(self) -> tuple[float, ...]:
        """0.5, 0.9, 0.98 and the user's beta, sorted, without duplicates."""
        return tuple(sorted({*FIXED_BETAS, float(self.beta)}))


def temperature_series(
    days: int, seed: int, mean: float = 12.0, amplitude: float = 10.0, noise: float = 4.0
) -> tuple[Array, Array, Array]:
    """Day numbers ``(n,)`` = 1 .. n, the seasonal curve ``(n,)`` (a sine with a one-year period, coldest
    around day 15) and the noisy series ``(n,)`` = seasonal + ``noise`` * N(0, 1) (``default_rng(seed)``)."""
    if not 1 <= days <= MAX_DAYS:
        raise ValueError(f"Invalid days: {days} (must be in [1, {MAX_DAYS}])")
    t = np.arange(1, days + 1)
    season = mean - amplitude * np.cos(2.0 * np.pi * (t - 15.0) / YEAR)
    rng = np.random.default_rng(seed)
    return t, season, season + noise * rng.standard_normal(days)


def _betas(betas) -> Array:
    b = np.atleast_1d(np.asarray(betas, dtype=float))
    if b.ndim != 1 or not np.all((b >= 0) & (b < 1)):
        raise ValueError(f"Invalid betas: {betas} (each must be in [0, 1))")
    return b


def ewma(theta: Array, betas) -> Array:
    """Uncorrected EWMA ``(B, n)`` of ``theta (n,)`` for each of ``betas (B,)``, with ``v_0 = 0``."""
    theta = np.asarray(theta, dtype=float)
    return np.stack([lfilter([1.0 - b], [1.0, -b], theta) for b in _betas(betas)])


def ewma_corrected(theta: Array, betas) -> Array:
    """Bias-corrected EWMA ``(B, n)``: ``v_t / (1 - beta^t)`` through the gain form (see the module notes)."""
    b = _betas(betas)[:, None]
    theta = np.asarray(theta, dtype=float)
    t = np.arange(1, theta.size + 1)[None, :]
    gains = (1.0 - b) / (1.0 - np.power(b, t))  # (B, n); exactly 1 at t = 1
    out = np.empty(gains.shape)
    v = np.zeros(b.shape[0])
    for i in range(theta.size):
        v = v + gains[:, i] * (theta[i] - v)
        out[:, i] = v
    return out


def bias_corrected(v: Array, betas) -> Array:
    """``v_t / (1 - beta^t)`` for ``v (B, n)``; t = 1 .. n."""
    b = _betas(betas)[:, None]
    t = np.arange(1, np.shape(v)[-1] + 1)[None, :]
    return np.asarray(v, dtype=float) / (1.0 - np.power(b, t))


def weights(betas, k: Array) -> Array:
    """Weight ``(1 - beta) beta^k`` of the sample ``k`` days back, shape ``(B, K)``."""
    b = _betas(betas)[:, None]
    return (1.0 - b) * np.power(b, np.asarray(k, dtype=float)[None, :])


def effective_window(betas) -> Array:
    """``1 / (1 - beta)`` ``(B,)``: about how many recent samples the average spans."""
    return 1.0 / (1.0 - _betas(betas))


def e_folding(betas) -> Array:
    """``k`` where the weight has fallen to ``1/e`` of the first: ``-1 / ln(beta)`` (0 for beta = 0)."""
    b = _betas(betas)
    out = np.zeros_like(b)
    pos = b > 0
    out[pos] = -1.0 / np.log(b[pos])
    return out


@dataclass(frozen=True, eq=False)
class EwmaLesson:
    """The page's numbers: ``days (n,)``, ``season (n,)``, ``theta (n,)``, ``betas (B,)``,
    ``raw`` and ``corrected`` ``(B, n)``, ``windows`` and ``e_fold`` ``(B,)``."""

    days: Array
    season: Array
    theta: Array
    betas: Array
    raw: Array
    corrected: Array
    windows: Array
    e_fold: Array

    def table(self) -> list[dict[str, float]]:
        """One row per beta: window, 1/e point, first values, and the RMS distance of the corrected and raw
        averages from the seasonal curve (noise left over plus lag)."""
        rms_c = np.sqrt(np.mean((self.corrected - self.season) ** 2, axis=1))
        rms_r = np.sqrt(np.mean((self.raw - self.season) ** 2, axis=1))
        return [
            {
                "beta": float(b),
                "window 1/(1−β)": float(w),
                "1/e point −1/ln β": float(e),
                "day 1, raw": float(self.raw[i, 0]),
                "day 1, corrected": float(self.corrected[i, 0]),
                "RMS vs season, corrected": float(rms_c[i]),
                "RMS vs season, raw": float(rms_r[i]),
            }
            for i, (b, w, e) in enumerate(zip(self.betas, self.windows, self.e_fold, strict=True))
        ]


def ewma_lesson(settings: EwmaSettings) -> EwmaLesson:
    """The series and its averages for every beta of ``settings``."""
    days, season, theta = temperature_series(
        settings.days, settings.seed, settings.mean, settings.amplitude, settings.noise
    )
    betas = np.array(settings.betas)
    raw = ewma(theta, betas)
    return EwmaLesson(
        days, season, theta, betas, raw, ewma_corrected(theta, betas), effective_window(betas), e_folding(betas)
    )
