"""Fixtures for the console tests: a ``pyex`` console in a pseudo-terminal."""

from __future__ import annotations

from pathlib import Path
from typing import Callable, Iterator

import pytest

from tests.console.pty_console import PtyConsole
from tests.console.tmux_console import TmuxConsole


@pytest.fixture
def spawn_console(tmp_path: Path) -> Iterator[Callable[..., PtyConsole]]:
    """Start consoles (home folder and history in ``tmp_path``); all are ended after the test."""
    started: list[PtyConsole] = []

    def start(
        *args: str, env: dict[str, str] | None = None, banner: bool = True, startup: bool = False
    ) -> PtyConsole:
        console = PtyConsole(tmp_path, args, env, startup=startup)
        started.append(console)
        if banner:
            console.expect(r"press Ctrl\+D to exit \(type h\(\) ENTER for help\)")
            console.expect_prompt(1)
        return console

    yield start
    for console in started:
        console.close()


@pytest.fixture
def console(spawn_console: Callable[..., PtyConsole]) -> PtyConsole:
    """A console at its first prompt."""
    return spawn_console()


@pytest.fixture
def spawn_term(tmp_path: Path) -> Iterator[Callable[..., TmuxConsole]]:
    """Start consoles in tmux (home folder and history in ``tmp_path``); all ended after the test."""
    started: list[TmuxConsole] = []

    def start(*args: str, env: dict[str, str] | None = None, wait: bool = True, **kw: object) -> TmuxConsole:
        term = TmuxConsole(tmp_path, args, env, **kw)  # type: ignore[arg-type]
        started.append(term)
        if wait:
            term.wait_prompt(1)
        return term

    yield start
    for term in started:
        term.close()


@pytest.fixture
def term(spawn_term: Callable[..., TmuxConsole]) -> TmuxConsole:
    """A console in tmux, at its first prompt (colours off, so the screen is plain text)."""
    return spawn_term(env={"NO_COLOR": "1"})
