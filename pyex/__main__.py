"""``python -m pyex``: the same as the ``pyex`` command."""

from .cli import main

if __name__ == "__main__":
    main()
