"""Data landscapes against torch autograd on the same data in float64: the loss written with
torch's own functions (``huber_loss``, ``binary_cross_entropy_with_logits``), its gradient by
backward and its Hessian by ``torch.autograd.functional.hessian``; and a minibatch gradient
against torch's gradient of the loss over the drawn examples."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch.nn import functional

from landscapes.data import LinearRegression, LogisticRegression, TanhNet
from tests.data_cases import CASES, IDS, drawn_minibatches, points_in

pytestmark = pytest.mark.torch


def torch_loss(ls, p: torch.Tensor, idx: np.ndarray | None = None) -> torch.Tensor:
    """The landscape's loss at ``p (2,)`` over its examples (or the rows ``idx``), in torch."""
    x, y = ls.data
    if idx is not None:
        x, y = x[idx], y[idx]
    x, y = torch.tensor(x, dtype=torch.float64), torch.tensor(y, dtype=torch.float64)  # copies: ours are read-only
    if isinstance(ls, TanhNet):
        loss = 0.5 * torch.mean((p[1] * torch.tanh(p[0] * x) - y) ** 2)
    elif isinstance(ls, LogisticRegression):
        loss = functional.binary_cross_entropy_with_logits(p[0] * x + p[1], y)
    elif isinstance(ls, LinearRegression) and ls.loss == "huber":
        loss = functional.huber_loss(p[0] * x + p[1], y, delta=ls.delta)
    else:
        loss = 0.5 * torch.mean((p[0] * x + p[1] - y) ** 2)
    return loss + 0.5 * ls.l2 * torch.sum(p * p)


@pytest.mark.parametrize("name", IDS)
def test_value_gradient_and_hessian_match_torch_autograd(name):
    ls = CASES[name]
    for q in points_in(ls, (4,), seed=7):
        p = torch.tensor(q, dtype=torch.float64, requires_grad=True)
        loss = torch_loss(ls, p)
        loss.backward()
        hess = torch.autograd.functional.hessian(lambda t: torch_loss(ls, t), p.detach())
        scale = 1.0 + abs(loss.item())
        assert float(ls.value(q)) == pytest.approx(loss.item(), rel=1e-12, abs=1e-14 * scale)
        np.testing.assert_allclose(ls.grad(q), p.grad.numpy(), rtol=1e-10, atol=1e-12 * scale)
        np.testing.assert_allclose(ls.hessian(q), hess.numpy(), rtol=1e-10, atol=1e-12 * scale)


@pytest.mark.parametrize("name", ["linear-l2", "huber-l2-test", "logistic-l2", "tanh-l2"])
def test_minibatch_gradient_matches_torch_on_the_drawn_examples(name):
    ls = CASES[name]
    P, idx, got = drawn_minibatches(ls, runs=3, batch=5, seed=8, step=11)
    for r in range(3):
        p = torch.tensor(P[r], dtype=torch.float64, requires_grad=True)
        torch_loss(ls, p, idx[r]).backward()
        np.testing.assert_allclose(got[r], p.grad.numpy(), rtol=1e-10, atol=1e-13)
