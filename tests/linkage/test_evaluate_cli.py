"""`korpu linkage evaluate FILE.csv`: the real command, from an empty folder, without Django or a database."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

HEADER = "record_id,cluster_id,given_name,surname,patronymic,birth_date,sex,citizenship,document_number"
ROWS = """\
1,A,Leyla,Məmmədova,Rəşid qızı,1994-03-07,F,AZ,AA1234567
2,A,Лейла,Мамедова,Рашидовна,1994-03-07,F,AZ,
3,A,LEYLA,MAMMADOVA,,1994-07-03,F,AZ,AA 1234567
4,B,Elvin,Quliyev,Anar oğlu,1988-01-15,M,AZ,
5,B,Эльвин,Кулиев,Анарович,1988-01,M,,
6,C,Aysel,Həsənova,Vüqar qızı,1990-11-21,F,AZ,
7,C,Nigar,Babayeva,,2001-05-05,F,GE,
8,D,Rəşad,Məmmədov,Rəşid oğlu,1994-03-07,M,AZ,
9,E,Aysel,Məmmədova,Rəşid qızı,1990-11-21,F,AZ,
"""
RESULT = re.compile(r"^precision=(\d\.\d{4}) recall=(\d\.\d{4}) f1=(\d\.\d{4}) pairs=(\d+) seconds=(\d+\.\d{2})$")


def _run(tmp_path: Path, content: str, *, bom: bool = False) -> subprocess.CompletedProcess[str]:
    path = tmp_path / "labelled.csv"
    path.write_text(("\ufeff" if bom else "") + content, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("KORPU_") and k != "DJANGO_SETTINGS_MODULE"}
    # The command must not need Django: fail loudly if anything sets it up.
    code = ("import sys; from korpu import cli; code = cli.main(['linkage', 'evaluate', sys.argv[1]]); "
            "assert 'django' not in sys.modules, 'Django was imported'; sys.exit(code)")
    return subprocess.run([sys.executable, "-c", code, str(path)], cwd=tmp_path, env=env, capture_output=True,
                          text=True, timeout=120, check=False)


@pytest.mark.parametrize("bom", [False, True], ids=["plain", "bom"])
def test_evaluate_prints_pairwise_metrics_last(tmp_path: Path, bom: bool) -> None:
    result = _run(tmp_path, f"{HEADER}\n{ROWS}", bom=bom)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    match = RESULT.match(lines[-1])
    assert match, lines[-1]
    precision, recall, f1, pairs, _seconds = match.groups()
    # True pairs: A has three (1-2, 1-3, 2-3), B one, C one (two different names: not findable) → 5.
    # Found: A's three and B's one, nothing else → precision 4/4, recall 4/5, f1 8/9.
    assert (precision, recall, f1, pairs) == ("1.0000", "0.8000", "0.8889", "4")
    assert "records=9 true_pairs=5" in lines[0]
    assert not (tmp_path / "var").exists()  # no database, no var folder


def test_evaluate_with_nothing_to_find(tmp_path: Path) -> None:
    result = _run(tmp_path, f"{HEADER}\n1,A,Leyla,Əliyeva,,,,,\n2,B,Anar,Quliyev,,,,,\n")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1].startswith("precision=0.0000 recall=0.0000 f1=0.0000 pairs=0 seconds=")


@pytest.mark.parametrize(("content", "message"), [
    ("record_id,cluster,given_name\n1,A,Leyla\n", "line 1: the header must be exactly"),
    (f"{HEADER}\n1,A,Leyla,,,1994-13-01,,,\n", "line 2: birth_date '1994-13-01' is not"),
    (f"{HEADER}\n1,A,Leyla,,,07.03.1994,,,\n", "line 2: birth_date '07.03.1994' is not"),
    (f"{HEADER}\n1,A,Leyla,,,,,,\n2,A,Leyla,,,,X,,\n", "line 3: sex 'X' must be F, M or blank"),
    (f"{HEADER}\n1,A,Leyla,,,,,,\n1,B,Anar,,,,,,\n", "line 3: duplicate record_id '1'"),
    (f"{HEADER}\n1,,Leyla,,,,,,\n", "line 2: record_id and cluster_id are required"),
    (f"{HEADER}\n1,A,Leyla\n", "line 2: 3 fields, expected 9"),
    ("", "line 1: the header must be exactly"),
], ids=["header", "month", "format", "sex", "duplicate", "cluster", "short", "empty"])
def test_a_bad_file_is_one_line_and_exit_2(tmp_path: Path, content: str, message: str) -> None:
    result = _run(tmp_path, content)
    assert result.returncode == 2
    assert result.stdout == ""
    errors = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(errors) == 1 and message in errors[0], result.stderr


def test_the_installed_command(tmp_path: Path) -> None:
    (tmp_path / "f.csv").write_text(f"{HEADER}\n{ROWS}", encoding="utf-8")
    korpu = Path(sys.executable).with_name("korpu")
    command = [str(korpu)] if korpu.exists() else [sys.executable, "-m", "korpu.cli"]
    env = {k: v for k, v in os.environ.items() if not k.startswith("KORPU_") and k != "DJANGO_SETTINGS_MODULE"}
    result = subprocess.run([*command, "linkage", "evaluate", "f.csv"], cwd=tmp_path, env=env,
                            capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    assert RESULT.match(result.stdout.splitlines()[-1])
