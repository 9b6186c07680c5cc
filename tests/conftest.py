"""Shared test setup: the repository root on sys.path so `import landscapes` works from anywhere."""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import os  # noqa: E402

import pytest  # noqa: E402

# two workers on two vCPUs inflate each other's CPU time: the work guard allows twice the page budget
# in tests (ui/compute.guard_scale); servers started by browser tests inherit it
os.environ.setdefault("OPTIMIZER_GUARD_SCALE", "2")


@pytest.fixture(scope="module")
def server():
    """``streamlit run app.py`` on a free local port for one test module; yields its base URL."""
    from tests.browser_support import streamlit_server

    with streamlit_server("app.py") as url:
        yield url


@pytest.fixture(scope="module")
def browser_page():
    """One headless Debian Chromium page (Playwright) for one test module."""
    from tests.browser_support import chromium_page

    with chromium_page() as page:
        yield page


@pytest.fixture(scope="module")
def float64_torch():
    """torch's default dtype float64 for one test module (the twins' arithmetic is float64), restored after."""
    import torch

    old = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    yield
    torch.set_default_dtype(old)


@pytest.fixture(scope="module")
def rosen_race():
    """Figure tests: a Rosenbrock race (``tests.figures_support.rosen_race``)."""
    from tests import figures_support

    return figures_support.rosen_race()


@pytest.fixture(scope="module")
def diverging():
    """Figure tests: a race whose first run diverges (``tests.figures_support.diverging``)."""
    from tests import figures_support

    return figures_support.diverging()


@pytest.fixture(scope="module")
def well_race():
    """Figure tests: a double-well race (``tests.figures_support.well_race``)."""
    from tests import figures_support

    return figures_support.well_race()
