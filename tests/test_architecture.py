"""The layers' rules, read from the source: each layer imports only those below it,
and no two modules import each other, however indirectly -- imports inside
functions included (a late import that hides a cycle is still a cycle).

The layers, lowest first: the runtime, OTP, the shell core, the front ends,
distribution (it serves remote shells with ``pyex.Shell``), the command line,
and the package root.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

pytestmark = pytest.mark.timeout(60)

PACKAGE = Path(__file__).resolve().parent.parent / "pyex"
LAYERS = ["pyex.runtime", "pyex.otp", "pyex.shell", "pyex.frontends", "pyex.dist", "pyex.cli"]


def _modules() -> dict[str, Path]:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join(parts)] = path
    return found


MODULES = _modules()


def _layer(module: str) -> int:
    if module == "pyex.version":
        return -1  # a leaf: every layer may say which pyex it is
    for index, prefix in enumerate(LAYERS):
        if module == prefix or module.startswith(prefix + "."):
            return index
    return len(LAYERS)  # the package root, __main__.py


def _imports(module: str) -> set[str]:
    """The pyex modules ``module`` imports, anywhere in it but under TYPE_CHECKING."""
    path = MODULES[module]
    tree = ast.parse(path.read_text(encoding="utf-8"))
    typing_only = {
        id(node)
        for branch in ast.walk(tree)
        if isinstance(branch, ast.If) and "TYPE_CHECKING" in ast.unparse(branch.test)
        for node in ast.walk(branch)
    }
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = set()
    for node in ast.walk(tree):
        if id(node) in typing_only:
            continue
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            for alias in node.names:
                if f"{target}.{alias.name}" in MODULES:
                    found.add(f"{target}.{alias.name}")
                elif target in MODULES:
                    found.add(target)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names if alias.name in MODULES)
    found.discard(module)
    return found


GRAPH = {module: _imports(module) for module in MODULES}


def test_each_layer_imports_only_the_layers_below_it() -> None:
    upward = sorted(
        f"{module} imports {target}"
        for module, targets in GRAPH.items()
        for target in targets
        if _layer(target) > _layer(module)
    )
    assert upward == []


def test_no_import_cycle_not_even_through_a_late_import() -> None:
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    cycles: list[list[str]] = []

    def visit(module: str) -> None:  # Tarjan's strongly connected components
        index[module] = low[module] = len(index)
        stack.append(module)
        for target in GRAPH[module]:
            if target not in index:
                visit(target)
                low[module] = min(low[module], low[target])
            elif target in stack:
                low[module] = min(low[module], index[target])
        if low[module] == index[module]:
            component = []
            while True:
                member = stack.pop()
                component.append(member)
                if member == module:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for module in GRAPH:
        if module not in index:
            visit(module)
    assert cycles == []


def test_nothing_above_the_runtime_takes_its_process_record() -> None:
    takers = sorted(
        module
        for module, targets in GRAPH.items()
        if _layer(module) > 0 and "pyex.runtime.record" in targets
    )
    assert takers == []


def test_the_rules_see_imports() -> None:
    # A check that finds nothing because it reads nothing would pass: it reads these.
    assert "pyex.runtime.delivery" in GRAPH["pyex.runtime.inbound"]
    assert "pyex.frontends.programmatic" in GRAPH["pyex.dist.remsh"]
    assert _layer("pyex.dist.remsh") > _layer("pyex.frontends.programmatic")
