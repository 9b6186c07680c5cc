"""The Network lab's core against independent references: torch autograd for gradients and
Hessian-vector products, ``torch.optim`` for training, a dense finite-difference Hessian for the
sharpness, and the defining properties of the PCA plane and of Li et al.'s filter normalization."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import optimizers
from export.torch_script import torch_kwargs
from networks import interpolation, mlp, planes, sharpness
from networks.data import DATASETS, make_data
from networks.init import initialize
from networks.mlp import Architecture
from networks.train import NetRun, evaluate, train
from optimizers.minibatch import minibatch_indices


@pytest.fixture(autouse=True, scope="module")
def _float64_torch():
    old, threads = torch.get_default_dtype(), torch.get_num_threads()
    torch.set_default_dtype(torch.float64)
    torch.set_num_threads(1)  # tiny tensors: a thread pool only waits for busy cores
    yield
    torch.set_default_dtype(old)
    torch.set_num_threads(threads)


def torch_loss(arch: Architecture, flat: torch.Tensor, x: np.ndarray, y: np.ndarray) -> torch.Tensor:
    """The same network written with torch.nn.functional (weights laid out as ``networks.mlp``'s)."""
    h = torch.as_tensor(x)
    for i, (off, fi, fo) in enumerate(arch.layers):
        w, b = flat[off : off + fi * fo].reshape(fi, fo), flat[off + fi * fo : off + fi * fo + fo]
        h = torch.nn.functional.linear(h, w.T, b)
        if i < len(arch.layers) - 1:
            h = torch.tanh(h) if arch.activation == "tanh" else torch.relu(h)
    if arch.task == "regression":
        return torch.nn.functional.mse_loss(h, torch.as_tensor(y))
    return torch.nn.functional.cross_entropy(h, torch.as_tensor(y))


CASES = [("tanh", "regression"), ("relu", "regression"), ("tanh", "classification"), ("relu", "classification")]


def _problem(activation: str, task: str, runs: int = 3, n: int = 9):
    arch = Architecture((3, 6, 5, 4 if task == "classification" else 2), activation, task)
    rng = np.random.default_rng(7)
    params = 0.8 * rng.standard_normal((runs, arch.n_params))
    x = rng.standard_normal((runs, n, 3))
    y = rng.integers(0, 4, (runs, n)) if task == "classification" else rng.standard_normal((runs, n, 2))
    return arch, params, x, y


@pytest.mark.parametrize(("activation", "task"), CASES)
def test_loss_gradient_and_hvp_match_torch_autograd(activation, task):
    arch, params, x, y = _problem(activation, task)
    v = np.random.default_rng(1).standard_normal(params.shape)
    value, grad = mlp.loss_grad(arch, params, x, y)
    hv, _ = mlp.hvp(arch, params, x, y, v)
    for r in range(len(params)):
        p = torch.tensor(params[r], requires_grad=True)
        loss = torch_loss(arch, p, x[r], y[r])
        (g,) = torch.autograd.grad(loss, p, create_graph=True)
        (h,) = torch.autograd.grad(g @ torch.tensor(v[r]), p)
        assert value[r] == pytest.approx(loss.item(), abs=1e-12)
        np.testing.assert_allclose(grad[r], g.detach().numpy(), rtol=0, atol=1e-10)
        np.testing.assert_allclose(hv[r], h.numpy(), rtol=0, atol=1e-10)


def test_shared_examples_equal_per_run_copies():
    arch, params, x, y = _problem("tanh", "regression")
    shared_x, shared_y = x[0], y[0]
    a = mlp.loss_grad(arch, params, shared_x, shared_y)
    b = mlp.loss_grad(arch, params, np.repeat(shared_x[None], 3, 0), np.repeat(shared_y[None], 3, 0))
    np.testing.assert_allclose(a[1], b[1], rtol=0, atol=1e-15)


LRS = {"sgd": 0.1, "momentum": 0.05, "nesterov": 0.05, "adagrad": 0.05, "adadelta": 1.0, "radam": 0.01}


def _torch_twins() -> list:
    """Every registered optimizer with a ``torch.optim`` twin and no need of the landscape itself."""
    out = []
    for kind in optimizers.names():
        cls = optimizers.optimizer_class(kind)
        if cls.torch_name and getattr(torch.optim, cls.torch_name, None) and cls.torch_name != "LBFGS":
            out.append(cls)
    return out


def test_every_optimizer_trains_the_network_like_torch_optim():
    """Every optimizer of the race with a ``torch.optim`` twin, in one batched ``train`` call (half
    of them on minibatches of 16), against ``torch.optim`` on the same network, 200 steps."""
    data = make_data("moons", 80, 0.2, 0.25, seed=3)
    arch = Architecture((2, 8, 8, 2), "tanh", "classification")
    start = initialize(arch, "xavier", seed=5)

    def config(i: int, cls):
        decay = {"weight_decay": 0.01 * (i % 2)} if "weight_decay" in cls.__dataclass_fields__ else {}
        return optimizers.make(cls.kind, lr=LRS.get(cls.kind, 0.005), **decay)

    runs = [NetRun(config(i, c), 16 * (i % 2), seed=i) for i, c in enumerate(_torch_twins())]
    steps = 200
    got = train(arch, data, start, runs, steps, max_record=steps + 1)
    n = len(data.x_train)
    for r, run in enumerate(runs):
        p = torch.tensor(start, requires_grad=True)
        opt = getattr(torch.optim, run.optimizer.torch_name)([p], **torch_kwargs(run.optimizer))
        for step in range(steps):
            if run.batch_size:
                idx = minibatch_indices(n, run.batch_size, np.array([run.seed]), np.array([0]), step)[0]
            else:
                idx = np.arange(n)
            opt.zero_grad()
            torch_loss(arch, p, data.x_train[idx], data.y_train[idx]).backward()
            opt.step()
        reference = p.detach().numpy()
        np.testing.assert_allclose(got.final[r], reference, rtol=0, atol=1e-9, err_msg=run.optimizer.kind)
        assert np.abs(got.final[r] - start).max() > 1e-3  # it did move


def test_recorded_losses_are_the_losses_of_the_recorded_points():
    data = make_data("sine", 60, 0.1, 0.3, seed=0)
    arch = Architecture((1, 8, 1), "tanh", "regression")
    got = train(arch, data, initialize(arch, "xavier", 0), [NetRun(optimizers.make("adam", lr=0.01))], 50, 11)
    assert list(got.record_steps) == list(range(0, 51, 5))
    p = got.params[0]
    np.testing.assert_allclose(got.test_loss[0], mlp.loss(arch, p, data.x_test, data.y_test), rtol=1e-14)
    full = mlp.loss(arch, p[:-1], data.x_train, data.y_train)
    np.testing.assert_allclose(got.batch_loss[0, got.record_steps[:-1]], full, rtol=1e-14)


def _trajectories():
    data = make_data("sine", 60, 0.1, 0.3, seed=0)
    arch = Architecture((1, 10, 1), "tanh", "regression")
    runs = [NetRun(optimizers.make(k, lr=lr)) for k, lr in (("sgd", 0.1), ("momentum", 0.05), ("adam", 0.02))]
    return arch, data, train(arch, data, initialize(arch, "xavier", 1), runs, 100)


def test_pca_plane_contains_the_start_and_reconstructs_projected_points_exactly():
    arch, _data, tr = _trajectories()
    plane = planes.pca_plane(tr.params, tr.start, per_run=tr.params.shape[1])  # fitted to every point
    np.testing.assert_allclose(plane.coords(tr.start), [0.0, 0.0], atol=1e-14)
    np.testing.assert_allclose(plane.points(0.0, 0.0), tr.start, atol=0)
    c = plane.coords(tr.params)  # (R, T, 2)
    projected = plane.points(c[..., 0], c[..., 1])
    np.testing.assert_allclose(plane.coords(projected), c, atol=1e-12)  # a point of the plane is itself
    residual = tr.params - projected  # least squares: orthogonal to the plane
    np.testing.assert_allclose(residual @ plane.basis.T, 0.0, atol=1e-12)
    # the shares are what the plane keeps of the squared distance from the start
    x = (tr.params - tr.start).reshape(-1, arch.n_params)
    kept = np.sum((projected - tr.start) ** 2) / np.sum(x**2)
    assert sum(plane.explained) == pytest.approx(kept, rel=1e-9)
    assert plane.explained[0] >= plane.explained[1] > 0
    # and no other plane through the start keeps more (a few random ones and the ends plane)
    for other in [planes.ends_plane(tr.start, tr.final[0], tr.final[2])] + [
        planes.Plane(tr.start, *np.random.default_rng(s).standard_normal((2, arch.n_params))) for s in range(3)
    ]:
        oc = other.coords(tr.params)
        assert np.sum((other.points(oc[..., 0], oc[..., 1]) - tr.start) ** 2) <= np.sum((projected - tr.start) ** 2)


def test_filter_normalized_directions_have_the_weights_filter_norms():
    arch = Architecture((3, 7, 5, 2), "relu", "classification")
    weights = initialize(arch, "he", 2) * np.random.default_rng(0).uniform(0.1, 3.0, arch.n_params)
    plane = planes.random_plane(arch, weights, seed=4)
    for d in (plane.d1, plane.d2):
        for (dw, db), (w, _) in zip(arch.unpack(d), arch.unpack(weights), strict=True):
            for j in range(w.shape[1]):  # filter j: the weights into unit j
                assert np.linalg.norm(dw[:, j]) == pytest.approx(np.linalg.norm(w[:, j]), rel=1e-9)
            assert not np.any(db)
    assert not np.allclose(plane.d1, plane.d2)
    np.testing.assert_allclose(plane.coords(plane.points(0.3, -0.7)), [0.3, -0.7], atol=1e-12)


def test_ends_plane_goes_through_start_and_both_ends():
    _arch, _data, tr = _trajectories()
    plane = planes.ends_plane(tr.start, tr.final[0], tr.final[1])
    np.testing.assert_allclose(plane.basis @ plane.basis.T, np.eye(2), atol=1e-12)
    for point in (tr.start, tr.final[0], tr.final[1]):
        c = plane.coords(point)
        np.testing.assert_allclose(plane.points(c[0], c[1]), point, atol=1e-12)


def _dense_fd_hessian(arch, p, x, y, h=1e-5):
    """Central differences of the analytic gradient, column by column, symmetrized."""
    P = len(p)
    cols = np.empty((P, P))
    for i in range(P):
        e = np.zeros(P)
        e[i] = h
        cols[i] = (mlp.loss_grad(arch, (p + e)[None], x, y)[1][0] - mlp.loss_grad(arch, (p - e)[None], x, y)[1][0]) / (
            2 * h
        )
    return (cols + cols.T) / 2


@pytest.mark.parametrize(("activation", "task"), [("tanh", "regression"), ("tanh", "classification")])
def test_top_eigenvalue_matches_dense_finite_difference_hessian(activation, task):
    data = make_data("sine" if task == "regression" else "moons", 40, 0.1, 0.25, seed=0)
    arch = Architecture((data.d_in, 4, data.n_out), activation, task)
    rng = np.random.default_rng(0)
    params = np.stack([initialize(arch, "xavier", s) + 0.3 * rng.standard_normal(arch.n_params) for s in range(3)])
    lam, change = sharpness.top_eigenvalue(arch, params, data.x_train, data.y_train, iterations=400)
    for r in range(3):
        eig = np.linalg.eigvalsh(_dense_fd_hessian(arch, params[r], data.x_train, data.y_train))
        top = eig[np.argmax(np.abs(eig))]
        assert lam[r] == pytest.approx(top, rel=1e-6)
        assert change[r] < 1e-8


def test_sharpness_of_a_diverged_run_is_nan_and_others_unaffected():
    arch, data, tr = _trajectories()
    params = tr.final.copy()
    params[1, 3] = np.nan
    lam, _ = sharpness.top_eigenvalue(arch, params, data.x_train, data.y_train, iterations=5)
    assert np.isnan(lam[1]) and np.all(np.isfinite(lam[[0, 2]]))


def test_line_loss_hits_both_solutions():
    arch, data, tr = _trajectories()
    a, b = tr.final[0], tr.final[2]
    got = interpolation.line_loss(arch, a, b, np.array([-0.5, 0.0, 0.5, 1.0]), data.x_test, data.y_test)
    ends = mlp.loss(arch, np.stack([a, b]), data.x_test, data.y_test)
    np.testing.assert_allclose(got[[1, 3]], ends, rtol=1e-14)
    mid = mlp.loss(arch, ((a + b) / 2)[None], data.x_test, data.y_test)
    assert got[2] == pytest.approx(mid[0], rel=1e-12)


def test_surface_is_the_loss_at_each_grid_point():
    arch, data, tr = _trajectories()
    plane = planes.pca_plane(tr.params, tr.start)
    a, b = np.linspace(-1, 2, 5), np.linspace(-0.5, 0.5, 3)
    s = planes.surface(arch, plane, a, b, data.x_train, data.y_train)
    assert s.shape == (3, 5)
    direct = mlp.loss(arch, (tr.start + a[4] * plane.d1 + b[0] * plane.d2)[None], data.x_train, data.y_train)
    assert s[0, 4] == pytest.approx(direct[0], rel=1e-14)
    np.testing.assert_allclose(evaluate(arch, tr.params[0], data.x_train, data.y_train), tr.train_loss[0], rtol=1e-14)


@pytest.mark.parametrize("name", DATASETS)
def test_datasets_are_split_and_standardized(name):
    d = make_data(name, 200, 0.1, 0.25, seed=1)
    assert len(d.x_train) + len(d.x_test) == 200 and len(d.x_test) == 50
    np.testing.assert_allclose(d.x_train.mean(axis=0), 0.0, atol=1e-12)
    assert np.all(np.isclose(d.x_train.std(axis=0), 1.0) | np.isclose(d.x_train.std(axis=0), 0.0))
    if d.task == "classification":
        assert d.y_train.dtype.kind == "i" and d.y_train.max() < d.n_out
    else:
        assert d.y_train.shape == (150, 1)
    again = make_data(name, 200, 0.1, 0.25, seed=1)
    np.testing.assert_array_equal(again.x_test, d.x_test)


def test_initializations_have_their_spread():
    arch = Architecture((200, 300, 1), "relu", "regression")
    (w, b), _ = arch.unpack(initialize(arch, "he", 0))
    assert w.std() == pytest.approx(np.sqrt(2 / 200), rel=0.02) and not np.any(b)
    (w, _), _ = arch.unpack(initialize(arch, "xavier", 0, scale=3.0))
    assert np.abs(w).max() == pytest.approx(3 * np.sqrt(6 / 500), rel=0.01)


def test_batch_sizes_are_parsed_and_the_experiment_measures_every_run():
    from networks.batch_size import batch_experiment, parse_batches

    assert parse_batches("32, 8;full 8") == (8, 32, 0)
    assert parse_batches("8, 500", n_train=100) == (8, 0)
    for bad in ("", "8, x", "0.5", "1, 2, 3, 4, 5, 6, 7"):
        with pytest.raises(ValueError):
            parse_batches(bad)
    data = make_data("moons", 60, 0.2, 0.25, seed=0)
    arch = Architecture((2, 6, 2), "tanh", "classification")
    ex = batch_experiment(arch, data, initialize(arch, "xavier", 0), (5, 0), seeds=2, steps=30, lr=0.2, iterations=50)
    assert list(ex.batch) == [5, 5, 0, 0] and list(ex.seed) == [0, 1, 0, 1]
    assert ex.train_loss[0] != ex.train_loss[1]  # the seed picks the minibatches
    assert ex.train_loss[2] == ex.train_loss[3]  # and means nothing to the full batch
    np.testing.assert_allclose(ex.gap, ex.test_loss - ex.train_loss)
    assert np.all(ex.sharpness > 0)
    assert ex.sharpness[2] == pytest.approx(ex.sharpness[3], rel=1e-4)  # one end point, two power-iteration starts


def test_a_diverged_run_is_left_out_of_the_pca_plane():
    from networks.lab import fitted_runs

    data = make_data("sine", 60, 0.1, 0.3, seed=0)
    arch = Architecture((1, 10, 1), "tanh", "regression")
    runs = [NetRun(optimizers.make("sgd", lr=lr)) for lr in (0.1, 50.0)]
    with np.errstate(all="ignore"):
        tr = train(arch, data, initialize(arch, "xavier", 1), runs, 60)
    mask = fitted_runs(tr)
    assert list(mask) == [True, False]
    plane = planes.pca_plane(tr.params, tr.start, runs=mask)
    alone = planes.pca_plane(tr.params[:1], tr.start)
    np.testing.assert_allclose(np.abs(plane.basis @ alone.basis.T), np.eye(2), atol=1e-9)


def test_training_reports_its_progress_to_a_listener_only():
    from networks import progress

    data = make_data("sine", 40, 0.1, 0.25, seed=0)
    arch = Architecture((1, 4, 1), "tanh", "regression")
    heard: list[float] = []
    with progress.listening(lambda fraction, text: heard.append(fraction)):
        train(arch, data, initialize(arch, "xavier", 0), [NetRun(optimizers.make("sgd", lr=0.1))], 40)
    assert heard == sorted(heard) and heard[0] > 0 and heard[-1] <= 1.0 and len(heard) == 5  # every 8 steps
    progress.report(0.5)  # nobody listening: nothing happens
    assert len(heard) == 5
