"""The layout of ``matching`` (docs/matching-layout.md), checked from the source text.

Every import of every module counts, those inside functions included: an import moved
into a function to dodge a cycle is still a cycle here.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "matching"

# Which part of matching may import which (a part may always import itself).
ALLOWED = {
    "common": set(),
    "visits": {"common"},
    "rides": {"common"},
    "darp": {"common"},
    "bounds": {"common", "visits"},
    "cli": {"common", "visits", "rides", "darp"},
    "__main__": {"cli"},
    "__init__": set(),
}


def _modules() -> dict[str, Path]:
    out = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
        if parts[-1] == "__init__" and len(parts) > 1:
            parts.pop()
        out[".".join(parts)] = path
    return out


MODULES = _modules()


def _part(module: str) -> str:
    """``matching.visits.search.kernel.state`` -> ``visits``; ``matching.cli`` -> ``cli``."""
    parts = module.split(".")
    return "__init__" if len(parts) == 1 else parts[1]


def _imports(module: str) -> list[tuple[str, list[str], int]]:
    """(imported matching module, names taken from it, line) for each import statement."""
    tree = ast.parse(MODULES[module].read_text(encoding="utf-8"))
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == "matching":
                    out.append((alias.name, [], node.lineno))
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if node.module.split(".")[0] != "matching":
                continue
            names = []
            for alias in node.names:
                sub = f"{node.module}.{alias.name}"
                if sub in MODULES:  # ``from matching.darp import alns``: a module
                    out.append((sub, [], node.lineno))
                else:
                    names.append(alias.name)
            if names:
                out.append((node.module, names, node.lineno))
    return out


GRAPH = {m: {target for target, _, _ in _imports(m)} for m in MODULES}


def test_the_layout_is_read():
    assert {"matching.cli", "matching.visits.solve", "matching.bounds.cg_bound"} <= set(MODULES)
    assert "matching.visits.levels" in GRAPH["matching.visits.lns"]


@pytest.mark.parametrize("module", sorted(MODULES))
def test_imports_go_one_way(module):
    part = _part(module)
    wrong = [
        f"line {line}: {target}"
        for target, _, line in _imports(module)
        if _part(target) != part and _part(target) not in ALLOWED[part]
    ]
    assert not wrong, f"{module} ({part}) may import only {sorted(ALLOWED[part])}: {wrong}"


@pytest.mark.parametrize("module", sorted(MODULES))
def test_no_private_name_crosses_a_module(module):
    private = [
        f"line {line}: {target}.{name}"
        for target, names, line in _imports(module)
        for name in names
        if target != module and name.startswith("_") and not name.startswith("__")
    ]
    assert not private, f"{module} imports private names: {private}"


def test_no_import_cycle():
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(m: str) -> list[str] | None:
        state[m] = 1
        path.append(m)
        for n in sorted(GRAPH[m]):
            if state.get(n) == 1:
                return path[path.index(n) :] + [n]
            if n not in state and (cycle := visit(n)):
                return cycle
        path.pop()
        state[m] = 2
        return None

    for m in sorted(MODULES):
        if m not in state and (cycle := visit(m)):
            pytest.fail("import cycle: " + " -> ".join(cycle))
