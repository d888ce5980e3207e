"""examples/supervised_store.py: the seed's store under a supervisor, killed and back."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

pytestmark = pytest.mark.timeout(30)

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "supervised_store.py"


def test_the_example_runs_and_the_store_comes_back(capsys):
    spec = importlib.util.spec_from_file_location("supervised_store", EXAMPLE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.main()
    out = capsys.readouterr().out.splitlines()
    assert "all values: ['hello', 23]" in out
    assert "('all_values', ['plain', 'hello', 23])" in out
    assert "the store died: killed" in out
    assert any(line.startswith("old store") and line.endswith("a new one") for line in out)
    assert out[-4:] == [
        "all values now: []",
        "all values now: ['after the restart']",
        "counts: {'specs': 1, 'active': 1, 'supervisors': 0, 'workers': 1}",
        "supervisor stopped; store registered: None",
    ]
