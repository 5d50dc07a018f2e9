"""The `korpu` command: help, key generation, production refusal and the SQLite demo end to end."""

from __future__ import annotations

import base64
import os
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from korpu import cli
from korpu.core import crypto

VERBS = [
    [], ["demo"], ["serve"], ["audit"], ["audit", "verify"], ["keys"], ["keys", "rotate"], ["keys", "generate"],
]


@pytest.mark.parametrize("verb", VERBS, ids=lambda v: " ".join(v) or "korpu")
def test_every_verb_has_help(verb: list[str], capsys: Any) -> None:
    with pytest.raises(SystemExit) as exit_info:
        cli.main([*verb, "--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith(f"usage: {' '.join(['korpu', *verb])}")


def test_manage_help_is_djangos(db: Any, capsys: Any) -> None:
    try:
        code = cli.main(["manage", "--help"])
    except SystemExit as exc:
        code = exc.code
    assert code in (0, None)
    assert "Available subcommands:" in capsys.readouterr().out


def test_a_verb_is_required(capsys: Any) -> None:
    with pytest.raises(SystemExit) as exit_info:
        cli.main([])
    assert exit_info.value.code == 2
    assert "the following arguments are required: VERB" in capsys.readouterr().err


def test_keys_generate_prints_a_fresh_32_byte_key(capsys: Any) -> None:
    assert cli.main(["keys", "generate"]) == 0
    assert cli.main(["keys", "generate"]) == 0
    first, second = capsys.readouterr().out.splitlines()
    for line in (first, second):
        assert len(line) == 44
        assert len(base64.b64decode(line, validate=True)) == 32
        assert crypto.decode_master_key(line, source="test").key == base64.b64decode(line)
    assert first != second


# --- production refusal ------------------------------------------------------------------------
def _clean_env(tmp_path: Path, **values: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KORPU_") and k != "DJANGO_SETTINGS_MODULE"}
    env.update({"KORPU_VAR_DIR": str(tmp_path / "var"), **values})
    return env


def _setup_django(env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    code = "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='korpu.settings'; django.setup()"
    return subprocess.run([sys.executable, "-c", code], env=env, cwd=cwd, capture_output=True, text=True,
                          timeout=120, check=False)


GOOD_PRODUCTION = {
    "KORPU_MODE": "production",
    "KORPU_SECRET_KEY": "k" * 20 + "Qz8-pLm3_vT0rW5yX2bN7cD",
    "KORPU_MASTER_KEY": "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",
    "KORPU_ALLOWED_HOSTS": "korpu.example.org",
    "KORPU_DATABASE_URL": "postgres://korpu@db.example.org:5432/korpu",
    "KORPU_SITE_URL": "https://korpu.example.org",
}
SECRET_PROBLEM = "KORPU_SECRET_KEY is missing, shorter than 40 characters or a default value"


@pytest.mark.parametrize(
    ("changes", "problems"),
    [
        ({key: "" for key in GOOD_PRODUCTION if key != "KORPU_MODE"},
         [SECRET_PROBLEM, "KORPU_MASTER_KEY or KORPU_MASTER_KEY_FILE must be set",
          "KORPU_ALLOWED_HOSTS must name the host names this server answers to"]),
        ({"KORPU_DEBUG": "1"}, ["KORPU_DEBUG is on; production never runs with DEBUG"]),
        ({"KORPU_SECRET_KEY": "change-me"}, [SECRET_PROBLEM]),
        ({"KORPU_SECRET_KEY": "change-me-" * 6}, [SECRET_PROBLEM]),
        ({"KORPU_MASTER_KEY": "A" * 43 + "="},
         ["KORPU_MASTER_KEY is not random (generate a key with `korpu keys generate`)"]),
        ({"KORPU_MASTER_KEY": "AAECAwQFBgcICQ=="}, ["KORPU_MASTER_KEY must be base64 of 32 bytes, not 10"]),
        ({"KORPU_MASTER_KEY": "not a key!"},
         ["KORPU_MASTER_KEY is not base64 (generate a key with `korpu keys generate`)"]),
        ({"KORPU_MASTER_KEY": "", "KORPU_MASTER_KEY_FILE": "/nonexistent/master.key"},
         ["KORPU_MASTER_KEY_FILE (/nonexistent/master.key) cannot be read: No such file or directory"]),
    ],
    ids=["nothing-set", "debug", "default-secret", "long-default-secret", "zero-master-key", "short-master-key",
         "garbled-master-key", "missing-key-file"],
)
def test_production_refuses_to_start(tmp_path: Path, changes: dict[str, str], problems: list[str]) -> None:
    env = _clean_env(tmp_path, **{**GOOD_PRODUCTION, **changes})
    for key in [k for k, v in env.items() if v == ""]:
        del env[key]
    result = _setup_django(env, tmp_path)
    assert result.returncode != 0
    assert "Körpü refuses to start in production mode:" in result.stderr
    listed = [line.strip()[2:] for line in result.stderr.splitlines() if line.strip().startswith("- ")]
    for problem in problems:
        assert problem in listed
    if changes != {key: "" for key in GOOD_PRODUCTION if key != "KORPU_MODE"}:
        assert listed == problems
    assert not (tmp_path / "var").exists()


def test_production_starts_with_safe_settings(tmp_path: Path) -> None:
    result = _setup_django(_clean_env(tmp_path, **GOOD_PRODUCTION), tmp_path)
    assert (result.returncode, result.stderr) == (0, "")


def test_an_unknown_mode_is_refused(tmp_path: Path) -> None:
    result = _setup_django(_clean_env(tmp_path, KORPU_MODE="staging"), tmp_path)
    assert result.returncode != 0
    assert "KORPU_MODE must be one of production, demo, test, development; got 'staging'" in result.stderr


# --- the demo, end to end ----------------------------------------------------------------------
def _korpu(args: list[str], cwd: Path, **values: str) -> subprocess.CompletedProcess[str]:
    script = Path(sys.executable).with_name("korpu")
    command = [str(script)] if script.exists() else [sys.executable, "-m", "korpu.cli"]
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("KORPU_") and k != "DJANGO_SETTINGS_MODULE"}
    env.update({"COLUMNS": "200", **values})
    return subprocess.run([*command, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=600,
                          check=False)


def test_demo_then_audit_verify(tmp_path: Path) -> None:
    first = _korpu(["demo", "--no-serve"], tmp_path)
    assert first.returncode == 0, first.stderr
    database = tmp_path / "var" / "korpu.sqlite3"
    assert database.is_file()
    assert "Demo data loaded." in first.stdout
    assert "│ polis " in first.stdout
    assert "Password for every demo user: Demo-" in first.stdout
    for name in ("master.key", "secret_key", "demo-credentials.json"):
        assert (tmp_path / "var" / name).stat().st_mode & 0o777 == 0o600, name

    second = _korpu(["demo", "--no-serve"], tmp_path)
    assert second.returncode == 0, second.stderr
    assert "Demo data already present." in second.stdout
    assert "│ polis " in second.stdout

    _serve_and_fetch_the_login_page(tmp_path)

    with sqlite3.connect(database) as db:
        events = db.execute("SELECT COUNT(*) FROM core_auditevent").fetchone()[0]
    assert events > 5
    verified = _korpu(["audit", "verify"], tmp_path, KORPU_MODE="demo")
    assert (verified.returncode, verified.stdout) == (0, f"audit chain OK: {events} events verified\n")

    with sqlite3.connect(database) as db:
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            db.execute("UPDATE core_auditevent SET action = 'login.failed' WHERE seq = 4")
        # Someone who owns the database file can drop the guard first; verify still catches the edit.
        db.execute("DROP TRIGGER korpu_audit_append_only")
        changed = db.execute("UPDATE core_auditevent SET action = 'login.failed' WHERE seq = 4").rowcount
    assert changed == 1
    broken = _korpu(["audit", "verify"], tmp_path, KORPU_MODE="demo")
    assert broken.returncode == 1
    assert broken.stderr == "audit chain BROKEN at event #4: its content does not match its hash " \
                            "(3 events verified before it)\n"


def _serve_and_fetch_the_login_page(tmp_path: Path) -> None:
    """`korpu serve` (gunicorn + WhiteNoise) on the demo database answers like a real browser expects."""
    import socket
    import time
    import urllib.request

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    script = Path(sys.executable).with_name("korpu")
    command = [str(script)] if script.exists() else [sys.executable, "-m", "korpu.cli"]
    env = {k: v for k, v in os.environ.items() if not k.startswith("KORPU_") and k != "DJANGO_SETTINGS_MODULE"}
    env["KORPU_MODE"] = "demo"
    server = subprocess.Popen([*command, "serve", "--bind", f"127.0.0.1:{port}", "--workers", "1"], cwd=tmp_path,
                              env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline, page = time.monotonic() + 60, None
        while page is None and time.monotonic() < deadline:
            try:
                page = urllib.request.urlopen(f"http://127.0.0.1:{port}/account/login/",
                                              timeout=5)
            except OSError:
                time.sleep(0.3)
        assert page is not None, "korpu serve did not answer within 60 s"
        body = page.read().decode()
        assert page.status == 200 and page.headers["Content-Language"] == "az"
        assert "<h1>Körpü sisteminə giriş</h1>" in body
        assert "script-src 'self'" in page.headers["Content-Security-Policy"]
        assert page.headers["X-Frame-Options"] == "DENY"
        htmx = urllib.request.urlopen(f"http://127.0.0.1:{port}/static/core/htmx.min.js", timeout=5)
        assert htmx.status == 200 and htmx.read(20).startswith(b"var htmx")
    finally:
        server.terminate()
        output = server.communicate(timeout=30)[0]
    assert f"Listening at: http://127.0.0.1:{port}" in output
    assert '"GET /account/login/ HTTP/1.1" 200' in output
