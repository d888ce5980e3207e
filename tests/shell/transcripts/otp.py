class Stack(GenServer):
    def init(self, items):
        return ("ok", items)

    def handle_call(self, request, from_, state):
        if request == "pop":
            head, *tail = state
            return ("reply", head, tail)
        if request == "slow":
            Process.sleep(0.5)
            return ("reply", "done", state)

    def handle_cast(self, request, state):
        _push, item = request
        return ("noreply", [item, *state])

    def handle_info(self, message, state):
        print(f"info: {message!r}")
        return ("noreply", state)

ok, pid = GenServer.start_link(Stack, ["hello"], name="stack")
GenServer.call("stack", "pop")
GenServer.cast("stack", ("push", "world"))
GenServer.call(pid, "pop")
Process.flag("trap_exit", True)
GenServer.call("stack", "slow", 0.1)
GenServer.call("nobody", "pop")
state(pid)
GenServer.call("stack", "pop")
receive(("EXIT", pid, ANY), timeout=5)[0]
Process.flag("trap_exit", False)
children = [{"id": Stack, "start": (GenServer.start_link, (Stack, [1, 2]), {"name": "sup_stack"})}]
ok, sup = Supervisor.start_link(children, strategy="one_for_one", max_restarts=2, max_seconds=5)
old = Process.whereis("sup_stack")
ref = Process.monitor(old); Process.exit(old, "kill"); receive(("DOWN", ref, ANY, ANY, ANY))[4]
Supervisor.which_children(sup)
Supervisor.count_children(sup)
ok, agent = Agent.start_link(lambda: 0)
Agent.update(agent, lambda n: n + 1)
Agent.get(agent, lambda n: n)
task = Task.async_(lambda: 21 * 2)
Task.await_(task)
