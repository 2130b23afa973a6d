"""Known vulnerabilities in the pinned dependencies, by pip-audit, against PyPI's advisory
data (the Python Packaging Advisory Database, through PyPI's JSON API). It audits this
environment, which scripts/setup builds from requirements-dev.txt (runtime pins included).
Where that data cannot be reached (offline, or a mirror that does not serve it), the test is
skipped and says so. Bounded: a 5-second timeout per request."""
import json
import subprocess
import sys

import pytest


def test_no_pinned_dependency_has_a_known_vulnerability():
    try:
        done = subprocess.run(
            [sys.executable, "-m", "pip_audit", "--format", "json", "--progress-spinner", "off",
             "--skip-editable", "--timeout", "5"],
            capture_output=True, text=True, timeout=240)
    except subprocess.TimeoutExpired:
        pytest.skip("pip-audit: PyPI's vulnerability data did not answer within 4 minutes")
    try:
        report = json.loads(done.stdout)
    except ValueError:
        pytest.skip(f"pip-audit could not reach PyPI's vulnerability data: "
                    f"{(done.stderr or done.stdout).strip().splitlines()[-1:]}")
    audited = [d for d in report["dependencies"] if "skip_reason" not in d]
    if not audited:
        pytest.skip("pip-audit could not reach PyPI's vulnerability data for any package "
                    "(this index or mirror does not serve it); nothing was audited")
    found = [f"{d['name']} {d['version']}: {v['id']} (fixed in "
             f"{', '.join(v['fix_versions']) or 'no release yet'})"
             for d in audited for v in d["vulns"]]
    assert found == [], "Known vulnerabilities in pinned dependencies:\n" + "\n".join(found)
