"""Issue 8, item 7: a reused worker thread gives each new process fresh thread-local state."""

from __future__ import annotations

import decimal

import pytest

from pyex import receive, send, spawn
from pyex import self as self_pid
from tests.helpers import run_isolated

pytestmark = pytest.mark.timeout(30)

_REUSED = """
import decimal, threading
from pyex import Process, receive, send, spawn, self as self_pid

shared_local = threading.local()

class Counter(threading.local):
    def __init__(self):
        self.count = 0

counter = Counter()

def first(parent):
    shared_local.secret = "first process's"
    counter.count = 41
    decimal.getcontext().prec = 3
    send(parent, threading.get_ident())

def second(parent):
    seventh = str(decimal.Decimal(1) / decimal.Decimal(7))
    send(parent, (threading.get_ident(), getattr(shared_local, "secret", None),
                  counter.count, decimal.getcontext().prec, seventh))

me = self_pid()
for starter in (first, second):
    ref = Process.monitor(spawn(starter, me))
    print(repr(receive(timeout=5)))
    receive(lambda m: m[0] == "DOWN" and m[1] == ref, timeout=5)
"""


@pytest.mark.slow
def test_a_process_on_a_reused_thread_sees_no_local_of_the_one_before():
    # A fresh interpreter has one worker thread: the second process reuses it.
    first, second = (eval(line) for line in run_isolated(_REUSED).splitlines())
    ident, secret, count, prec, seventh = second
    assert ident == first, "the second process did not run on the first one's thread"
    assert secret is None
    assert count == 0  # a subclass's __init__ ran again, as in a new thread
    assert prec == decimal.Context().prec
    assert seventh == str(decimal.Context().divide(1, 7))


def test_the_callers_decimal_context_is_not_the_processes():
    decimal.getcontext().prec = 5
    try:
        me = self_pid()
        spawn(lambda: send(me, decimal.getcontext().prec))
        assert receive(timeout=5) == decimal.Context().prec
    finally:
        decimal.setcontext(decimal.Context())
