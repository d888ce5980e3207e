"""Run by ``pyex --sname NAME FILE``: a pyex peer node for the tests, serving until stdin closes."""

import sys

from pyex import GenServer, Node, Process, receive, send, spawn


def echo() -> None:
    while True:
        sender, message = receive()
        send(sender, ("echo", message))


class Counter(GenServer):
    def init(self, start):
        return ("ok", start)

    def handle_call(self, request, from_, state):
        if request == "get":
            return ("reply", state, state)
        if request[0] == "add":
            return ("reply", state + request[1], state + request[1])
        return ("reply", None, state)


Process.register(spawn(echo), "echo")
GenServer.start(Counter, 10, name="counter")
print("ready", Node.self(), flush=True)
sys.stdin.read()
