"""Session-wide real peers: one private epmd and one erl node, reused by the dist tests."""

from __future__ import annotations

from typing import Iterator

import pytest

from .peers import Epmd, ErlNode, EtfEcho, random_cookie


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
