"""The terminal console, in two processes so that the prompt never waits for busy ones.

bridge.py runs in pyex's process: it serves the prompt, running commands in a
shell Session. ui.py is the prompt, a prompt_toolkit application in a child
process that owns the terminal; terminal.py writes output around the prompt;
keys.py and completer.py give Enter, Tab and completion; protocol.py is what
the two say to each other.
"""

from .bridge import Bridge, run_console

__all__ = ["Bridge", "run_console"]
