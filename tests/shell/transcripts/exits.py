Process.flag("trap_exit", True)
def boom():
    raise RuntimeError("boom")

p = spawn_link(boom); receive(("EXIT", p, ANY), timeout=5)
Process.flag("trap_exit", False)
p = spawn(lambda: receive(timeout=5)); ref = Process.monitor(p); send(p, "go")
receive(("DOWN", ref, ANY, ANY, ANY), timeout=5)
ref = Process.monitor(pid(0, 9999, 0))
flush()
send(self(), ("a", 1)); send(self(), ("b", 2)); send(self(), ("a", 3))
receive(("b", ANY))[1]
flush()
def leave():
    raise Exit("boom")

spawn_link(leave); receive(timeout=5)
self()
