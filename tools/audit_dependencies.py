"""Audit the installed runtime dependencies of Ponte for known vulnerabilities (`make audit`,
run by CI).

First choice: pip-audit against PyPI's vulnerability data (the OSV records PyPI serves per
release). It needs ``/pypi/<name>/<version>/json``; where that is out of reach (CI here
reaches the package registries only, and the registry access answers the per-release
JSON with 404, while api.osv.dev does not resolve), pip-audit skips every package and
still says "No known vulnerabilities found". So its answer is only taken when it audited
every package (``--strict``); otherwise this script falls back to what the registry does
serve: each project's JSON (``/pypi/<name>/json``), whose ``vulnerabilities`` list is the
advisories that affect the project's *latest* release. Then:

- an installed release that is the latest and has an advisory: the audit FAILS;
- an installed release older than the latest: it cannot be audited this way, and is
  listed as such (upgrade it, or audit it where OSV is reachable); ``--strict`` fails.

Usage: python tools/audit_dependencies.py [--strict] [--no-pip-audit]
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import urllib.error
import urllib.request
from importlib import metadata

from packaging.requirements import Requirement
from packaging.version import Version

INDEX_JSON = "https://pypi.org/pypi/{name}/json"


def runtime_closure(root: str = "ponte") -> dict[str, str]:
    """{distribution name: installed version} of everything ``root`` needs to run
    (its requirements without extras, recursively)."""
    seen: dict[str, str] = {}
    todo = [root]
    while todo:
        name = todo.pop()
        try:
            dist = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            continue
        key = re.sub(r"[-_.]+", "-", dist.metadata["Name"]).lower()
        if key in seen:
            continue
        seen[key] = dist.version
        for line in dist.requires or []:
            req = Requirement(line)
            if req.marker is not None and not req.marker.evaluate({"extra": ""}):
                continue
            todo.append(req.name)
    seen.pop("ponte", None)
    return seen


def pip_audit(packages: dict[str, str]) -> bool:
    """True if pip-audit could audit every package and found nothing."""
    pins = "\n".join(f"{name}=={version}" for name, version in sorted(packages.items()))
    proc = subprocess.run(
        [sys.executable, "-m", "pip_audit", "--strict", "--progress-spinner", "off",
         "--vulnerability-service", "pypi", "--requirement", "/dev/stdin", "--no-deps",
         "--disable-pip"],
        input=pins, text=True, capture_output=True, check=False,
    )
    skipped = "could not be audited" in proc.stderr + proc.stdout
    print(proc.stdout.strip() or proc.stderr.strip().splitlines()[-1:])
    return proc.returncode == 0 and not skipped


def fallback(packages: dict[str, str], strict: bool) -> int:
    vulnerable, behind, unreachable = [], [], []
    for name, installed in sorted(packages.items()):
        try:
            with urllib.request.urlopen(INDEX_JSON.format(name=name), timeout=30) as resp:
                data = json.load(resp)
        except (urllib.error.URLError, TimeoutError) as error:
            unreachable.append(f"{name}: {error}")
            continue
        latest = data["info"]["version"]
        if Version(installed) < Version(latest):
            behind.append(f"{name} {installed} (latest {latest})")
            continue
        for vuln in data.get("vulnerabilities") or []:
            ids = ", ".join([vuln.get("id", "?"), *vuln.get("aliases", [])])
            fixed = ", ".join(vuln.get("fixed_in") or []) or "no fix yet"
            vulnerable.append(f"{name} {installed}: {ids} (fixed in {fixed})")
    audited = len(packages) - len(behind) - len(unreachable)
    print(f"Audited {audited} of {len(packages)} runtime dependencies against the "
          "advisories PyPI lists for their latest release.")
    for title, rows in (("KNOWN VULNERABILITIES", vulnerable),
                        ("Older than the latest release, not audited here", behind),
                        ("Registry not reachable", unreachable)):
        if rows:
            print(f"{title}:")
            for row in rows:
                print(f"  - {row}")
    if vulnerable or unreachable:
        return 1
    return 1 if strict and behind else 0


def main(argv: list[str]) -> int:
    packages = runtime_closure()
    if not packages:
        print("ponte is not installed in this environment (pip install -e .)")
        return 2
    if "--no-pip-audit" not in argv and pip_audit(packages):
        print(f"pip-audit checked all {len(packages)} runtime dependencies: none vulnerable.")
        return 0
    print("pip-audit could not reach a vulnerability database for every package; "
          "falling back to the registry's project data.")
    return fallback(packages, strict="--strict" in argv)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
