"""The shell's front ends: the terminal console, scripted stdin, and programmatic Shell.

Each is thin: it reads commands, hands them to a shell Session, and shows what
comes back.
"""
