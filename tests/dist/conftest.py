"""Session-wide real peers: one private epmd and one erl node, reused by the dist tests."""

from __future__ import annotations

from typing import Iterator

import pytest

from tests.dist.peers import Epmd, ErlNode, EtfEcho, PyexNode, random_cookie, random_name


@pytest.fixture(scope="session")
def epmd() -> Iterator[Epmd]:
    server = Epmd()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def cookie() -> str:
    return random_cookie()


@pytest.fixture(scope="session")
def erl(epmd: Epmd, cookie: str) -> Iterator[ErlNode]:
    node = ErlNode(epmd, cookie)
    yield node
    node.stop()


@pytest.fixture(scope="session")
def etf_echo() -> Iterator[EtfEcho]:
    echo = EtfEcho()
    yield echo
    echo.stop()


@pytest.fixture(scope="package")
def pynode(epmd: Epmd, cookie: str) -> Iterator[str]:
    """This test runtime as a distributed node while tests/dist runs.

    A runtime is one node; the tests after these see a plain runtime again.
    """
    import os

    from pyex.dist import Node

    os.environ["ERL_EPMD_PORT"] = str(epmd.port)
    Node.start(random_name("py"), cookie=cookie)
    yield Node.self()
    Node.stop()


@pytest.fixture(scope="session")
def pyex_peer(epmd: Epmd, cookie: str) -> Iterator[PyexNode]:
    node = PyexNode(epmd, cookie)
    yield node
    node.stop()
