"""Results within iex's inspect limits, and configure() (issue 7, items 5 and 9)."""

from __future__ import annotations

import pytest

from pyex import Shell
from pyex.shell.inspect_limits import pformat_limited

pytestmark = pytest.mark.timeout(30)


@pytest.fixture
def shell():
    with Shell(width=80) as shell:
        yield shell


def test_a_long_list_ends_in_dots_and_the_value_stays_whole(shell):
    evaluation = shell.eval("list(range(10**6))")
    assert evaluation.text.endswith("48, 49, ...]")
    assert len(evaluation.text) < 400
    assert shell.eval("len(_)").value == 10**6
    assert shell.eval("v(1)[-1]").value == 10**6 - 1


def test_each_kind_of_collection_is_cut(shell):
    shell.eval("configure(inspect_limit=3)")
    shown = {
        "list(range(9))": "[0, 1, 2, ...]",
        "tuple(range(9))": "(0, 1, 2, ...)",
        "set(range(9))": "{0, 1, 2, ...}",
        "frozenset(range(9))": "frozenset({0, 1, 2, ...})",
        "{i: i for i in range(9)}": "{0: 0, 1: 1, 2: 2, ...}",
        "collections.deque(range(9))": "deque([0, 1, 2, ...])",
        "[list(range(9))]": "[[0, 1, 2, ...]]",
        "list(range(3))": "[0, 1, 2]",
    }
    shell.eval("import collections")
    for source, text in shown.items():
        assert shell.eval(source).text == text, source


def test_a_long_string_is_cut_at_the_printable_limit(shell):
    text = shell.eval("'ab' * 5000").text
    assert text.endswith("' ...")
    assert len(text.replace("\n", "")) < 4200
    shell.eval("configure(printable_limit=4)")
    assert shell.eval("'abcdefgh'").text == "'abcd' ..."
    assert shell.eval("b'abcdefgh'").text == "b'abcd' ..."
    assert shell.eval("len(_)").value == 8


def test_no_limit_shows_everything(shell):
    shell.eval("configure(inspect_limit=None, printable_limit=None)")
    assert shell.eval("list(range(100))").text.endswith("98, 99]")


def test_nesting_shares_one_budget():
    value = [[list(range(50)) for _ in range(50)] for _ in range(50)]
    text = pformat_limited(value, 80, limit=50)
    assert text.count(",") < 50 * 50 + 200  # not 125,000 items


def test_a_value_that_contains_itself(shell):
    assert shell.eval("a = [1]; a.append(a); a").text == "[1, [...]]"


def test_configure_checks_its_settings(shell):
    assert "no setting 'colour'" in shell.eval("configure(colour=True)").text
    assert "takes an int >= 1 or None" in shell.eval("configure(inspect_limit=0)").text
    assert "takes True, False or None" in shell.eval("configure(colors='yes')").text
    shell.eval("configure(width=30)")
    assert shell.eval("list(range(20))").text.count("\n") >= 2
    assert "width=30" in shell.eval("configure()").output


def test_history_size_bounds_the_results_v_keeps(shell):
    shell.eval("configure(history_size=2)")  # pyex(1)
    for n in range(2, 6):
        shell.eval(f"{n} * 10")
    assert shell.eval("v(5)").value == 50
    assert "no longer kept" in shell.eval("v(2)").text
