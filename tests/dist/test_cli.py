"""The command line: distribution off by default, names, cookies, the listen warning; ticks."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import textwrap

import pytest

from pyex.dist import epmd_client

from tests.dist.peers import HOST, Epmd, ErlNode, random_cookie, random_name


def pyex(*args: str, env: dict[str, str], timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "pyex", *args], env=env, capture_output=True,
                          text=True, timeout=timeout)


@pytest.mark.slow
def test_without_a_name_distribution_is_off(epmd: Epmd) -> None:
    out = pyex("-c", "print(Node.self(), Node.alive())", env=epmd.env())
    assert out.stdout.strip() == "nonode@nohost False"
    os.environ["ERL_EPMD_PORT"] = str(epmd.port)
    assert not any(name.startswith("pyx") for name in epmd_client.names())


@pytest.mark.slow
def test_sname_and_cookie_make_a_node(epmd: Epmd, erl: ErlNode) -> None:
    name = random_name("cli")
    out = pyex("--sname", name, "--cookie", erl.cookie, "-c",
               f"print(Node.self()); print(Node.ping('{erl.node}'))", env=epmd.env())
    assert out.stdout.split() == [f"{name}@{HOST}", "pong"], out.stderr


@pytest.mark.slow
def test_a_missing_cookie_file_is_made_strong_and_private(epmd: Epmd, tmp_path) -> None:
    env = dict(epmd.env(), HOME=str(tmp_path))
    env.pop("PYEX_COOKIE", None)
    out = pyex("--sname", random_name("ck"), "-c", "print(Node.self())", env=env)
    assert out.returncode == 0, out.stderr
    cookie_file = tmp_path / ".erlang.cookie"
    assert stat.S_IMODE(cookie_file.stat().st_mode) == 0o400
    cookie = cookie_file.read_text()
    assert len(cookie) == 20 and cookie.isalpha() and cookie.isupper()
    # PYEX_COOKIE wins over the file.
    env["PYEX_COOKIE"] = "FROMTHEENVIRONMENT"
    script = "from pyex.dist.api import read_cookie; print(read_cookie())"
    assert pyex("-c", script, env=env).stdout.strip() == "FROMTHEENVIRONMENT"


@pytest.mark.slow
def test_listening_beyond_loopback_warns(epmd: Epmd) -> None:
    out = pyex("--sname", random_name("ls"), "--cookie", "c", "--listen", "0.0.0.0", "-c", "1",
               env=epmd.env())
    assert "the cookie is no protection" in out.stderr


@pytest.mark.slow
def test_remsh_needs_a_name(epmd: Epmd) -> None:
    out = pyex("--remsh", f"a@{HOST}", env=epmd.env())
    assert out.returncode == 2 and "--remsh needs --sname or --name" in out.stderr


@pytest.mark.slow
def test_ticks_keep_an_idle_connection_and_find_a_silent_peer(epmd: Epmd) -> None:
    cookie = random_cookie()
    erl = ErlNode(epmd, cookie, extra=("-kernel", "net_ticktime", "2"))
    script = textwrap.dedent(f"""
        import time
        from pyex import Node, receive
        Node.start({random_name('tk')!r}, cookie={cookie!r}, ticktime=2)
        assert Node.ping({erl.node!r}) == 'pong'
        Node.monitor({erl.node!r}, True)
        time.sleep(3)  # idle for longer than the tick time: ticks keep it up
        print('still', {erl.node!r} in Node.list(), flush=True)
        input()  # the test stops erl now
        print('down', receive(timeout=10), flush=True)
    """)
    proc = subprocess.Popen([sys.executable, "-c", script], env=epmd.env(), text=True,
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    try:
        assert proc.stdout is not None and proc.stdin is not None
        assert proc.stdout.readline().strip() == "still True"
        os.kill(erl.proc.pid, signal.SIGSTOP)  # silent: no ticks, no FIN
        proc.stdin.write("\n")
        proc.stdin.flush()
        assert proc.stdout.readline().strip() == f"down ('nodedown', '{erl.node}')"
    finally:
        proc.kill()
        os.kill(erl.proc.pid, signal.SIGCONT)
        erl.stop()
