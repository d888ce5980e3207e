"""The shell core: evaluation in the shell process, display, helpers.

Layer 3 of pyex, above the runtime and the OTP behaviours, below the front
ends. A command goes: front end -> Session.eval (session.py) -> a message to
the shell process -> Evaluator.evaluate (evaluator.py), which compiles it
(source.py), runs it in the namespace (namespace.py, helpers.py), captures its
output (output.py) and formats its value or error (display.py) -> back to the
session -> shown by the front end.
"""

from .evaluator import Evaluation
from .session import Display, Session, banner

__all__ = ["Display", "Evaluation", "Session", "banner"]
