"""The runtime requirements cover every third-party module the app imports: a fresh machine that ran
only ``pip install -r requirements.txt`` must be able to open every page."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# import name -> distribution name, where they differ
DISTRIBUTIONS = {"yaml": "pyyaml", "PIL": "pillow", "sklearn": "scikit-learn", "imageio_ffmpeg": "imageio-ffmpeg"}


def _local_modules() -> set[str]:
    return {p.stem for p in ROOT.glob("*.py")} | {p.name for p in ROOT.iterdir() if (p / "__init__.py").exists()}


def _imported_top_levels(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


def _runtime_files() -> list[Path]:
    skip = {"tests", "benchmarks", ".git", "artifacts", ".venv"}
    return [p for p in ROOT.rglob("*.py") if not (set(p.relative_to(ROOT).parts) & skip)]


def _required() -> set[str]:
    out = set()
    for line in (ROOT / "requirements.txt").read_text().splitlines():
        line = line.split("#")[0].strip()
        if line and not line.startswith("-"):
            out.add(line.split("==")[0].split(">=")[0].split("[")[0].strip().lower())
    return out


def test_every_third_party_import_outside_tests_is_a_runtime_requirement():
    local, stdlib = _local_modules(), set(sys.stdlib_module_names) | {"__future__"}
    required = _required()
    files = _runtime_files()
    assert len(files) > 50  # the app's own modules were found
    missing = {}
    for path in files:
        for name in _imported_top_levels(path) - local - stdlib:
            if DISTRIBUTIONS.get(name, name).lower() not in required:
                missing.setdefault(name, []).append(str(path.relative_to(ROOT)))
    assert not missing, missing


def test_the_check_sees_a_missing_requirement(tmp_path):
    bad = tmp_path / "mod.py"
    bad.write_text("import numpy\nfrom scipy.signal import lfilter\nimport landscapes\n")
    found = _imported_top_levels(bad) - _local_modules() - set(sys.stdlib_module_names)
    assert found == {"numpy", "scipy"}
