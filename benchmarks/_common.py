"""Shared set-up for the benchmark scripts: environment, database URL, Django start-up.

Both ``setup_scale.py`` and ``bench_cases.py`` run against a PostgreSQL database of their own
(default ``korpu_bench``) in ``KORPU_MODE=development``, with the master key and other generated
secrets kept in ``benchmarks/var/`` (git-ignored: never commit it).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
REPO_DIR = BENCH_DIR.parent
VAR_DIR = BENCH_DIR / "var"
RESULTS_DIR = BENCH_DIR / "results"
DEFAULT_DATABASE = "korpu_bench"
DEFAULT_SERVER = "postgres://postgres@127.0.0.1:5432"


def database_url(database: str, server: str = DEFAULT_SERVER) -> str:
    return f"{server.rstrip('/')}/{database}"


def setup_django(database: str, server: str = DEFAULT_SERVER, code_dir: str | None = None) -> None:
    """Point Körpü at the benchmark database and start Django (call before importing models).

    ``code_dir`` puts another copy of the ``korpu`` package first on the path (to measure a
    "before" version of the code against the same database).
    """
    os.environ["KORPU_MODE"] = "development"
    os.environ["KORPU_DEBUG"] = "false"  # DEBUG would keep every query in memory and skew timings
    os.environ["KORPU_DATABASE_URL"] = database_url(database, server)
    os.environ["KORPU_VAR_DIR"] = str(VAR_DIR)
    os.environ.setdefault("KORPU_LOG_LEVEL", "WARNING")
    os.environ["DJANGO_SETTINGS_MODULE"] = "korpu.settings"
    VAR_DIR.mkdir(parents=True, exist_ok=True, mode=0o700)
    if str(REPO_DIR) not in sys.path:
        sys.path.insert(0, str(REPO_DIR))
    if code_dir:
        sys.path.insert(0, str(Path(code_dir).resolve()))
    import django

    django.setup()


def ensure_database(database: str, server: str = DEFAULT_SERVER) -> bool:
    """Create the database when it is missing. Returns True when it was created."""
    import psycopg
    from psycopg import sql

    with psycopg.connect(database_url("postgres", server), autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [database]).fetchone()
        if exists:
            return False
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(database)))
        return True
