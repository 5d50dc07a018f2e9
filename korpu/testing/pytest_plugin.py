"""Loaded by pytest before Django is configured (``-p korpu.testing.pytest_plugin`` in pyproject).

It puts Körpü in test mode. ``KORPU_DATABASE_URL`` selects PostgreSQL; without it the suite runs
on SQLite. Tests marked ``postgres`` skip on SQLite, and ``browser`` tests skip without Chromium,
each with the reason.
"""

from __future__ import annotations

import os
import shutil
from typing import Any

import pytest

os.environ["KORPU_MODE"] = "test"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "korpu.settings")
if "KORPU_VAR_DIR" not in os.environ:
    import tempfile

    os.environ["KORPU_VAR_DIR"] = tempfile.mkdtemp(prefix="korpu-test-var-")
if os.environ.get("PYTEST_XDIST_WORKER"):
    # pytest-xdist workers inherit the controller's directory: each gets its own media and files,
    # so one worker's uploads never show up in another's "nothing changed" snapshot.
    _worker_dir = os.path.join(os.environ["KORPU_VAR_DIR"], os.environ["PYTEST_XDIST_WORKER"])
    os.makedirs(_worker_dir, exist_ok=True)
    os.environ["KORPU_VAR_DIR"] = _worker_dir

CHROMIUM = os.environ.get("KORPU_CHROMIUM", "/usr/bin/chromium")


def pytest_collection_modifyitems(config: Any, items: list[Any]) -> None:
    from django.conf import settings

    on_postgres = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")
    have_chromium = os.path.exists(CHROMIUM) or shutil.which(CHROMIUM) is not None
    try:
        import playwright  # noqa: F401
    except ImportError:
        have_chromium = False
    for item in items:
        if "postgres" in item.keywords and not on_postgres:
            item.add_marker(pytest.mark.skip(
                reason="needs PostgreSQL: set KORPU_DATABASE_URL=postgres://postgres@127.0.0.1:5432/korpu"))
        if "browser" in item.keywords and not have_chromium:
            item.add_marker(pytest.mark.skip(
                reason=f"needs Chromium at {CHROMIUM} and the playwright package (apt-get install chromium)"))
