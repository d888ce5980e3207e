"""The terminal console, on prompt_toolkit: app.py runs it; terminal.py writes to the
terminal around the prompt; keys.py, completer.py give Enter, Tab and completion."""

from .app import Console, run_console

__all__ = ["Console", "run_console"]
