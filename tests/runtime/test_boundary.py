"""The runtime's inner boundary: the layers above import two modules of it, no more."""

from __future__ import annotations

import ast
from pathlib import Path

PYEX = Path(__file__).resolve().parents[2] / "pyex"
ALLOWED = {"pyex.runtime", "pyex.runtime.internal"}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PYEX.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imported(path: Path) -> set[str]:
    """Every pyex.runtime module ``path`` imports (at any depth of its code)."""
    name = _module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target == "pyex":
                found.update(f"pyex.{alias.name}" for alias in node.names)
            else:
                found.add(target)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return {module for module in found if module.startswith("pyex.runtime")}


def test_layers_above_the_runtime_use_only_its_public_and_internal_api():
    offenders = {}
    for path in sorted(PYEX.rglob("*.py")):
        if path.is_relative_to(PYEX / "runtime"):
            continue
        wrong = _imported(path) - ALLOWED
        if wrong:
            offenders[str(path.relative_to(PYEX.parent))] = sorted(wrong)
    assert offenders == {}


def test_the_check_sees_a_private_import(tmp_path):
    # The check itself must be able to fail.
    fake = PYEX / "otp" / "gen_server.py"
    assert _imported(fake) <= ALLOWED
    assert "pyex.runtime.internal" in _imported(fake)
