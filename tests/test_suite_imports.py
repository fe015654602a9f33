"""The test suite's own rule: shared code lives in helper modules (tests/helpers.py,
tests/browser.py, a folder's helpers.py or builders.py), never in a test module or a
conftest.py. Importing a test module runs it a second time under another name; importing
a fixture by name from a conftest.py hides where it comes from (shared fixtures are
plugins listed in tests/conftest.py's ``pytest_plugins``)."""

from __future__ import annotations

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parent


def _module_name(path: Path) -> list[str]:
    return ["tests", *path.relative_to(TESTS).with_suffix("").parts]


def _imported_modules(path: Path) -> list[str]:
    """Every module ``path`` imports, relative imports resolved (names imported ``from``
    a package count as modules: they may be ones)."""
    package = _module_name(path)[:-1]
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            module = [*base, *(node.module.split(".") if node.module else [])]
            found.append(".".join(module))
            found += [".".join([*module, alias.name]) for alias in node.names]
    return found


def _is_test_or_conftest(module: str) -> bool:
    parts = module.split(".")
    return parts[0] == "tests" and (parts[-1].startswith("test_") or parts[-1] == "conftest")


def test_no_module_imports_from_a_test_module_or_a_conftest():
    offenders = {
        str(path.relative_to(TESTS.parent)): sorted(
            {m for m in _imported_modules(path) if _is_test_or_conftest(m)}
        )
        for path in sorted(TESTS.rglob("*.py"))
    }
    assert {path: mods for path, mods in offenders.items() if mods} == {}
