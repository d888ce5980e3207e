"""Key bindings of the console: Enter submits a complete command, Tab indents or completes."""

from __future__ import annotations

from prompt_toolkit.filters import has_completions
from prompt_toolkit.key_binding import KeyBindings, KeyPressEvent

from ...shell.source import is_complete, may_continue

__all__ = ["key_bindings", "should_submit"]

INDENT = "    "


def should_submit(text: str) -> bool:
    """Whether Enter at the end of ``text`` runs it (else it starts a new line).

    A complete simple statement runs at once; a compound statement (a def, a
    loop...) runs once an empty line ends it, as in Python's own REPL. Invalid
    input runs too, to show its error.
    """
    if not text.strip():
        return True
    try:
        if not is_complete(text):
            return False
    except SyntaxError:
        return True
    if not may_continue(text):
        return True
    return text.split("\n")[-1].strip() == ""


def _new_line(event: KeyPressEvent) -> None:
    buffer = event.current_buffer
    line = buffer.document.current_line_before_cursor
    indent = line[: len(line) - len(line.lstrip())]
    if line.rstrip().endswith(":"):
        indent += INDENT
    buffer.insert_text("\n" + indent)


def key_bindings() -> KeyBindings:
    bindings = KeyBindings()

    @bindings.add("enter", filter=~has_completions)
    def _enter(event: KeyPressEvent) -> None:
        buffer = event.current_buffer
        document = buffer.document
        at_end = not document.text_after_cursor.strip()
        if (at_end or document.line_count == 1) and should_submit(document.text):
            buffer.text = buffer.text.rstrip()
            buffer.validate_and_handle()
        else:
            _new_line(event)

    @bindings.add("enter", filter=has_completions)
    def _choose(event: KeyPressEvent) -> None:
        buffer = event.current_buffer
        state = buffer.complete_state
        if state is not None and state.current_completion is not None:
            buffer.apply_completion(state.current_completion)
        else:
            buffer.cancel_completion()

    @bindings.add("tab")
    def _tab(event: KeyPressEvent) -> None:
        buffer = event.current_buffer
        before = buffer.document.current_line_before_cursor
        if not before.strip():
            buffer.insert_text(INDENT)
        elif buffer.complete_state:
            buffer.complete_next()
        else:
            buffer.start_completion(select_first=False)

    @bindings.add("s-tab")
    def _back_tab(event: KeyPressEvent) -> None:
        buffer = event.current_buffer
        if buffer.complete_state:
            buffer.complete_previous()
            return
        before = buffer.document.current_line_before_cursor
        if before.endswith(INDENT) and not before.strip():
            buffer.delete_before_cursor(len(INDENT))

    return bindings
