"""pyex's EPMD client against the real epmd, and pyex's own EPMD serving a real erl."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from typing import Iterator

import pytest

from pyex.dist import epmd_client
from pyex.dist.epmd import EpmdServer

from tests.dist.peers import HOST, Epmd, free_port, random_cookie, random_name


@pytest.fixture
def own_epmd(monkeypatch: pytest.MonkeyPatch) -> Iterator[EpmdServer]:
    server = EpmdServer("127.0.0.1", free_port())
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    monkeypatch.setenv("ERL_EPMD_PORT", str(server.server_address[1]))
    yield server
    server.shutdown()
    server.server_close()
    thread.join(5)


@pytest.mark.slow
def test_register_find_and_list_with_the_real_epmd(epmd: Epmd, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ERL_EPMD_PORT", str(epmd.port))
    name = random_name("reg")
    registration = epmd_client.register(name, 4242, extra=b"pyex")
    try:
        assert registration.creation > 0
        found = epmd_client.port_please(name, "127.0.0.1")
        assert found is not None and found.port == 4242 and found.highest == 6
        assert found.extra == b"pyex"
        assert epmd_client.names()[name] == 4242
        with pytest.raises(epmd_client.EpmdError, match="refused"):
            epmd_client.register(name, 4343)
    finally:
        registration.close()
    assert epmd_client.port_please(random_name("nobody"), "127.0.0.1") is None


@pytest.mark.slow
def test_a_closed_registration_is_forgotten(own_epmd: EpmdServer) -> None:
    name = random_name("gone")
    registration = epmd_client.register(name, 5000)
    assert epmd_client.port_please(name, "127.0.0.1") is not None
    registration.close()
    # The server drops the entry when it sees the connection close.
    for _ in range(200):
        if epmd_client.port_please(name, "127.0.0.1") is None:
            break
        threading.Event().wait(0.01)
    assert epmd_client.port_please(name, "127.0.0.1") is None


@pytest.mark.slow
def test_a_real_erl_registers_with_pyex_epmd_and_answers_its_lookups(own_epmd: EpmdServer) -> None:
    sname, cookie = random_name("onown"), random_cookie()
    port = own_epmd.server_address[1]
    env = dict(os.environ, ERL_EPMD_PORT=str(port))
    proc = subprocess.Popen(
        ["erl", "-noshell", "-sname", sname, "-setcookie", cookie, "-eval",
         "io:format(\"~p~n\", [net_adm:names()]), halt()."],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )
    try:
        out, _ = proc.communicate(timeout=30)
    finally:
        proc.kill()
    assert f'"{sname}"'.encode() in out, out


@pytest.mark.slow
def test_python_m_pyex_dist_epmd_runs(tmp_path) -> None:
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "pyex.dist.epmd", "--port", str(port)],
                            stdout=subprocess.PIPE, env=dict(os.environ, ERL_EPMD_PORT=str(port)))
    try:
        assert proc.stdout is not None
        assert b"listening on 127.0.0.1:" in proc.stdout.readline()
        old = os.environ.get("ERL_EPMD_PORT")
        os.environ["ERL_EPMD_PORT"] = str(port)
        try:
            registration = epmd_client.register("solo", 1234)
            assert epmd_client.names() == {"solo": 1234}
            registration.close()
        finally:
            if old is None:
                del os.environ["ERL_EPMD_PORT"]
            else:
                os.environ["ERL_EPMD_PORT"] = old
    finally:
        proc.kill()
        proc.wait(10)
    assert HOST
