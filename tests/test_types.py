"""The type hints hold: mypy over pwa/, with the settings in pyproject.toml ("[tool.mypy]":
every module checked, the annotated ones required to type every function)."""
import subprocess
import sys

from pwa.config import ROOT


def test_mypy_finds_no_type_errors():
    result = subprocess.run([sys.executable, "-m", "mypy"], cwd=ROOT, capture_output=True,
                            text=True, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
