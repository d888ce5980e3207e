"""Key bindings of the console: Enter submits a complete command, Tab indents or
completes, Backspace in the indentation goes back one level."""

from __future__ import annotations

from prompt_toolkit import search
from prompt_toolkit.application import get_app
from prompt_toolkit.buffer import Buffer, CompletionState
from prompt_toolkit.completion import (
    CompleteEvent,
    Completer,
    DynamicCompleter,
    get_common_complete_suffix,
)
from prompt_toolkit.document import Document
from prompt_toolkit.filters import Condition, has_completions, has_selection, is_searching
from prompt_toolkit.key_binding import KeyBindings, KeyPressEvent
from prompt_toolkit.keys import Keys

from ...shell.source import is_complete, may_continue
from .indent import INDENT, dedented, next_indent

__all__ = ["key_bindings", "should_submit"]


def should_submit(text: str, unedited: bool = False) -> bool:
    """Whether Enter at the end of ``text`` runs it (else it starts a new line).

    A complete simple statement runs at once; a compound statement (a def, a
    loop...) runs once an empty line ends it, as in Python's own REPL, unless
    the text is ``unedited``: just pasted, or recalled from history as it ran.
    Invalid input runs too, to show its error.
    """
    if not text.strip():
        return True
    try:
        if not is_complete(text):
            return False
    except (SyntaxError, ValueError, OverflowError, RecursionError, MemoryError):
        return True  # invalid (or too deep to compile): run, to show the error
    if unedited or not may_continue(text):
        return True
    return text.split("\n")[-1].strip() == ""


def _new_line(buffer: Buffer) -> None:
    buffer.insert_text("\n" + next_indent(buffer.document.current_line_before_cursor))


def _dedent_clause(buffer: Buffer) -> None:
    """Move an ``else``/``elif``/``except``/``finally``/``case`` line back where it belongs."""
    document = buffer.document
    row = document.cursor_position_row
    lines = document.lines
    line = lines[row]
    moved = dedented(lines[:row], line)
    if moved == line:
        return
    column = document.cursor_position_col + len(moved) - len(line)
    lines = lines[:row] + [moved] + lines[row + 1 :]
    start = sum(len(text) + 1 for text in lines[:row])
    buffer.document = Document("\n".join(lines), start + max(0, column))


def _recalled(buffer: Buffer) -> bool:
    """Whether the buffer shows a history entry as it was run."""
    strings = buffer.history.get_strings()
    index = buffer.working_index
    return 0 <= index < len(strings) and strings[index] == buffer.text


def _synchronous(completer: Completer | None) -> bool:
    """Whether ``completer`` (as a PromptSession wraps it) answers at once."""
    while isinstance(completer, DynamicCompleter):
        completer = completer.get_completer()
    return bool(getattr(completer, "synchronous", False))


def complete(buffer: Buffer) -> None:
    """Tab: insert the one completion, or the part all share and list them.

    A completer that answers at once (``synchronous = True``, as the shell's
    own) is asked right here rather than in the background as prompt_toolkit
    does, so what is typed right after Tab follows the completion; any other
    is asked in the background.
    """
    completer = buffer.completer
    if completer is None:
        return
    if not _synchronous(completer):
        buffer.start_completion(insert_common_part=True)
        return
    document = buffer.document
    completions = list(
        completer.get_completions(document, CompleteEvent(completion_requested=True))
    )
    if not completions:
        return
    if len(completions) == 1:
        buffer.apply_completion(completions[0])
        return
    common = get_common_complete_suffix(document, completions)
    if common:
        buffer.insert_text(common)
        completions = [c.new_completion_from_position(len(common)) for c in completions]
    buffer.complete_state = CompletionState(buffer.document, completions)


@Condition
def _in_indentation() -> bool:
    before = get_app().current_buffer.document.current_line_before_cursor
    return bool(before) and not before.strip(" ")


def key_bindings() -> KeyBindings:
    bindings = KeyBindings()
    pasted: list[str | None] = [None]  # the text as the last paste left it

    @bindings.add("enter", filter=~has_completions & ~is_searching)
    def _enter(event: KeyPressEvent) -> None:
        buffer = event.current_buffer
        _dedent_clause(buffer)
        document = buffer.document
        at_end = not document.text_after_cursor.strip()
        unedited = at_end and (buffer.text == pasted[0] or _recalled(buffer))
        if (at_end or document.line_count == 1) and should_submit(document.text, unedited):
            buffer.text = buffer.text.rstrip()
            buffer.validate_and_handle()
        else:
            _new_line(buffer)

    @bindings.add("enter", filter=is_searching)
    def _accept_search(event: KeyPressEvent) -> None:
        """Enter in Ctrl+R's search: take the match and run it, as readline does."""
        search.accept_search()
        _enter(event)

    @bindings.add(":", filter=~has_selection & ~is_searching)
    def _colon(event: KeyPressEvent) -> None:
        event.current_buffer.insert_text(":")
        _dedent_clause(event.current_buffer)

    @bindings.add("enter", filter=has_completions & ~is_searching)
    def _choose(event: KeyPressEvent) -> None:
        buffer = event.current_buffer
        state = buffer.complete_state
        if state is not None and state.current_completion is not None:
            buffer.apply_completion(state.current_completion)
        else:
            buffer.cancel_completion()
            _enter(event)

    @bindings.add(Keys.BracketedPaste)
    def _paste(event: KeyPressEvent) -> None:
        data = event.data.replace("\r\n", "\n").replace("\r", "\n")
        buffer = event.current_buffer
        buffer.insert_text(data)
        pasted[0] = buffer.text

    @bindings.add("tab")
    def _tab(event: KeyPressEvent) -> None:
        buffer = event.current_buffer
        before = buffer.document.current_line_before_cursor
        if not before.strip():
            buffer.insert_text(INDENT)
        elif buffer.complete_state:
            buffer.complete_next()
        else:
            complete(buffer)

    @bindings.add("s-tab")
    def _back_tab(event: KeyPressEvent) -> None:
        buffer = event.current_buffer
        if buffer.complete_state:
            buffer.complete_previous()
            return
        before = buffer.document.current_line_before_cursor
        if before.endswith(INDENT) and not before.strip():
            buffer.delete_before_cursor(len(INDENT))

    @bindings.add("backspace", filter=_in_indentation & ~has_selection)
    def _dedent(event: KeyPressEvent) -> None:
        buffer = event.current_buffer
        width = len(buffer.document.current_line_before_cursor)
        buffer.delete_before_cursor(width % len(INDENT) or len(INDENT))

    return bindings
