self()
1 + 1
self()
spawn(lambda: 1 + 1)
pid, ref = spawn_monitor(lambda: 1 + 1)
receive()
Process.alive(pid)
class LiveLong:
    @staticmethod
    def run():
        while True:
            pass

pid = spawn(LiveLong, "run", [])
alive(pid)
info(pid)
class SimpleGenServer:
    @staticmethod
    def start():
        initial_state = []
        SimpleGenServer.receive_messages(initial_state)

    @staticmethod
    def receive_messages(state):
        while True:
            message = receive()
            ok, state = SimpleGenServer.handle_message(message, state)

    @staticmethod
    def handle_message(message, state):
        match message:
            case ("store", value):
                return "ok", [value, *state]
            case ("send_all_values", pid):
                send(pid, ("all_values", state))
                return "ok", state

pid = spawn(SimpleGenServer, "start", [])
send(pid, ("store", 23))
send(pid, ("store", "hello"))
shell_pid = self()
send(pid, ("send_all_values", shell_pid))
receive()
raise RuntimeError("boom")
self()
Process.exit(self(), "kill")
self()
send(self(), "hi")
flush()
flush()
v(2)
i(1)
