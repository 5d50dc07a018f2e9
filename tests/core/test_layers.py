"""The layer contract (ADR 0023) holds, and would catch a back-arrow.

``lint-imports`` reads the contract in pyproject.toml. The second test runs it on a copy of the
package with one import against the arrows — the kernel importing a domain app inside a function,
the kind of import that is easiest to miss — and expects the build to fail naming that line.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LINT_IMPORTS = shutil.which("lint-imports") or str(Path(sys.executable).with_name("lint-imports"))

pytestmark = pytest.mark.skipif(not os.path.exists(LINT_IMPORTS),
                                reason="needs import-linter (pip install -e '.[test]')")


def _lint(cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(cwd)}
    return subprocess.run([LINT_IMPORTS, "--no-cache"], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=300)


def test_the_tree_keeps_the_contract() -> None:
    result = _lint(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Contracts: 2 kept, 0 broken." in result.stdout


def test_a_back_arrow_fails_the_build(tmp_path: Path) -> None:
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    shutil.copytree(ROOT / "korpu", tmp_path / "korpu", ignore=shutil.ignore_patterns("__pycache__", "locale",
                                                                                       "static", "templates"))
    roles = tmp_path / "korpu" / "core" / "roles.py"
    roles.write_text(roles.read_text() + "\n\ndef _back_arrow() -> object:\n"
                     "    from korpu.cases.models import Case\n\n    return Case\n")
    result = _lint(tmp_path)
    assert result.returncode == 1, result.stdout
    assert "korpu.core is not allowed to import korpu.cases" in result.stdout
    assert "korpu.core.roles -> korpu.cases.models" in result.stdout
