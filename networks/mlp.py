"""A small multilayer perceptron, batched over runs and examples, in NumPy.

Parameters of ``R`` networks are one array ``params (R, P)``: layer by layer, the weight matrix
``W (fan_in, fan_out)`` row-major, then the bias ``b (fan_out,)``. Layer ``l`` computes
``z_l = h_{l-1} W_l + b_l`` and ``h_l = act(z_l)`` (no activation on the output layer).

Losses, as ``torch.nn``'s with ``reduction='mean'``:

- regression: ``MSELoss``, ``mean((z_L - y)^2)`` over examples and outputs, ``y (.., n, d_out)``;
- classification: ``CrossEntropyLoss``, ``mean(logsumexp(z_L) - z_L[y])``, integer labels ``y (.., n)``.

``loss_grad`` is the backward pass; ``hvp`` is an exact Hessian-vector product by
forward-over-backward differentiation (Pearlmutter's R-operator applied to the backward pass), no
finite differences. Inputs ``x`` are ``(n, d_in)`` shared by every run or ``(R, n, d_in)`` per run
(each run's minibatch). No Python loop over runs or examples: one matrix product per layer.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

Array = np.ndarray

ACTIVATIONS = ("tanh", "relu")
TASKS = ("regression", "classification")


@dataclass(frozen=True)
class Architecture:
    """Layer sizes ``(d_in, h_1, ..., d_out)``, the hidden activation and the task (its loss)."""

    sizes: tuple[int, ...]
    activation: str = "tanh"
    task: str = "regression"

    def __post_init__(self) -> None:
        if len(self.sizes) < 2 or any(int(s) < 1 for s in self.sizes):
            raise ValueError(f"Invalid layer sizes: {self.sizes} (at least an input and an output, each >= 1)")
        if self.activation not in ACTIVATIONS:
            raise ValueError(f"Invalid activation: {self.activation!r} (choose one of {', '.join(ACTIVATIONS)})")
        if self.task not in TASKS:
            raise ValueError(f"Invalid task: {self.task!r} (choose one of {', '.join(TASKS)})")
        if self.task == "classification" and self.sizes[-1] < 2:
            raise ValueError("A classifier needs at least 2 outputs (one logit per class)")

    @cached_property
    def layers(self) -> tuple[tuple[int, int, int], ...]:
        """Per layer ``(offset, fan_in, fan_out)``: its weights start at ``offset`` in a parameter vector."""
        out, offset = [], 0
        for fan_in, fan_out in zip(self.sizes[:-1], self.sizes[1:], strict=True):
            out.append((offset, fan_in, fan_out))
            offset += fan_in * fan_out + fan_out
        return tuple(out)

    @property
    def n_params(self) -> int:
        off, fi, fo = self.layers[-1]
        return off + fi * fo + fo

    @property
    def macs(self) -> int:
        """Multiply-adds of one forward pass of one example (the cost unit of ``networks.cost``)."""
        return sum(fi * fo for _, fi, fo in self.layers)

    def unpack(self, params: Array) -> list[tuple[Array, Array]]:
        """Views ``(W (..., fan_in, fan_out), b (..., fan_out))`` per layer of ``params (..., P)``."""
        lead = params.shape[:-1]
        out = []
        for off, fi, fo in self.layers:
            w = params[..., off : off + fi * fo].reshape(*lead, fi, fo)
            out.append((w, params[..., off + fi * fo : off + fi * fo + fo]))
        return out

    def weight_mask(self) -> Array:
        """``(P,)`` booleans: True on weights, False on biases."""
        mask = np.zeros(self.n_params, dtype=bool)
        for off, fi, fo in self.layers:
            mask[off : off + fi * fo] = True
        return mask


def _act(name: str, z: Array) -> tuple[Array, Array, Array]:
    """``act(z)``, ``act'(z)`` and ``act''(z)`` (ReLU's second derivative is 0 almost everywhere)."""
    if name == "tanh":
        h = np.tanh(z)
        d1 = 1.0 - h * h
        return h, d1, -2.0 * h * d1
    d1 = (z > 0).astype(z.dtype)
    return z * d1, d1, np.zeros_like(z)


def _forward(arch: Architecture, params: Array, x: Array) -> tuple[list[Array], list[Array], list[Array], Array]:
    """Inputs of each layer ``hs``, activation derivatives ``d1s``/``d2s`` of the hidden layers,
    and the output ``z_L (R, n, d_out)``."""
    hs, d1s, d2s = [x], [], []
    layers = arch.unpack(params)
    h = x
    for i, (w, b) in enumerate(layers):
        z = np.matmul(h, w) + b[..., None, :]
        if i == len(layers) - 1:
            return hs, d1s, d2s, z
        h, d1, d2 = _act(arch.activation, z)
        hs.append(h)
        d1s.append(d1)
        d2s.append(d2)
    raise AssertionError("unreachable")


def forward(arch: Architecture, params: Array, x: Array) -> Array:
    """The outputs ``(R, n, d_out)`` of ``R`` networks ``params (R, P)`` on ``x (n, d_in)`` or ``(R, n, d_in)``."""
    return _forward(arch, params, x)[3]


def _softmax(z: Array) -> Array:
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def _loss_and_top(arch: Architecture, z: Array, y: Array) -> tuple[Array, Array, Array | None]:
    """Loss ``(R,)``, ``dL/dz_L`` and, for classification, the softmax."""
    n = z.shape[-2]
    if arch.task == "regression":
        diff = z - y
        loss = np.mean(diff * diff, axis=(-2, -1))
        return loss, diff * (2.0 / (n * z.shape[-1])), None
    zmax = z.max(axis=-1, keepdims=True)
    lse = np.log(np.sum(np.exp(z - zmax), axis=-1)) + zmax[..., 0]
    labels = np.broadcast_to(y, z.shape[:-1])
    picked = np.take_along_axis(z, labels[..., None], axis=-1)[..., 0]
    loss = np.mean(lse - picked, axis=-1)
    s = _softmax(z)
    top = s.copy()
    np.put_along_axis(top, labels[..., None], np.take_along_axis(s, labels[..., None], axis=-1) - 1.0, axis=-1)
    return loss, top / n, s


def loss(arch: Architecture, params: Array, x: Array, y: Array) -> Array:
    """The loss ``(R,)`` of each network on its examples."""
    with np.errstate(over="ignore", invalid="ignore"):
        return _loss_and_top(arch, forward(arch, params, x), y)[0]


def _backward(arch: Architecture, params: Array, hs: list[Array], d1s: list[Array], top: Array) -> Array:
    """``dL/dparams (R, P)`` from the forward pass and ``top = dL/dz_L``."""
    layers = arch.unpack(params)
    grads = np.empty(np.broadcast_shapes(params.shape, (top.shape[0], params.shape[-1])))
    gw_views = arch.unpack(grads)
    delta = top
    for i in range(len(layers) - 1, -1, -1):
        gw, gb = gw_views[i]
        gw[...] = np.matmul(np.swapaxes(hs[i], -1, -2), delta)
        gb[...] = delta.sum(axis=-2)
        if i:
            delta = np.matmul(delta, np.swapaxes(layers[i][0], -1, -2)) * d1s[i - 1]
    return grads


def loss_grad(arch: Architecture, params: Array, x: Array, y: Array) -> tuple[Array, Array]:
    """Loss ``(R,)`` and its gradient ``(R, P)`` for networks ``params (R, P)`` on ``x``, ``y``."""
    with np.errstate(over="ignore", invalid="ignore"):
        hs, d1s, _, z = _forward(arch, params, x)
        value, top, _ = _loss_and_top(arch, z, y)
        return value, _backward(arch, params, hs, d1s, top)


def hvp(arch: Architecture, params: Array, x: Array, y: Array, v: Array) -> tuple[Array, Array]:
    """Exact Hessian-vector products ``H(params) v (R, P)`` of the loss, and the gradient ``(R, P)``.

    Forward-over-backward: the R-operator ``R{f} = d/dt f(params + t v)`` at ``t = 0`` pushed through
    the forward pass (``R z_l = R h_{l-1} W_l + h_{l-1} V_l + c_l``, ``R h_l = act'(z_l) R z_l``) and
    then through the backward pass, term by term."""
    with np.errstate(over="ignore", invalid="ignore"):
        hs, d1s, d2s, z = _forward(arch, params, x)
        _, top, soft = _loss_and_top(arch, z, y)
        layers, vlayers = arch.unpack(params), arch.unpack(v)
        # R forward
        rhs: list[Array] = [np.zeros(())]  # R h_0 = 0: the inputs do not depend on the parameters
        rz_hidden: list[Array] = []  # R z_l of the hidden layers, for the act'' term going back
        rz = np.zeros(())
        for i, ((w, _), (vw, vb)) in enumerate(zip(layers, vlayers, strict=True)):
            rz = np.matmul(hs[i], vw) + vb[..., None, :]
            if i:
                rz = rz + np.matmul(rhs[i], w)
            if i < len(layers) - 1:
                rz_hidden.append(rz)
                rhs.append(d1s[i] * rz)
        n = z.shape[-2]
        if arch.task == "regression":
            rtop = rz * (2.0 / (n * z.shape[-1]))
        else:
            rtop = soft * (rz - np.sum(soft * rz, axis=-1, keepdims=True)) / n
        # R backward
        out = np.empty(np.broadcast_shapes(params.shape, v.shape, (z.shape[0], params.shape[-1])))
        views = arch.unpack(out)
        delta, rdelta = top, rtop
        for i in range(len(layers) - 1, -1, -1):
            gw, gb = views[i]
            rw = np.matmul(np.swapaxes(hs[i], -1, -2), rdelta)
            if i:
                rw = rw + np.matmul(np.swapaxes(rhs[i], -1, -2), delta)
            gw[...] = rw
            gb[...] = rdelta.sum(axis=-2)
            if i:
                w, vw = layers[i][0], vlayers[i][0]
                back = np.matmul(delta, np.swapaxes(w, -1, -2))
                rback = np.matmul(rdelta, np.swapaxes(w, -1, -2)) + np.matmul(delta, np.swapaxes(vw, -1, -2))
                rdelta = rback * d1s[i - 1] + back * d2s[i - 1] * rz_hidden[i - 1]
                delta = back * d1s[i - 1]
        grads = _backward(arch, params, hs, d1s, top)
        return out, grads
