"""`make bench`: pyex's figures beside the physical limit, measured in one run.

    python -m bench               every section
    python -m bench runtime otp   some sections (runtime, otp, shell, dist)
"""

from __future__ import annotations

import importlib
import os
import platform
import sys
import time

from .common import Result

SECTIONS = ("runtime", "otp", "shell", "observe", "dist")


def _format_number(value: float) -> str:
    if value >= 1000:
        return f"{value:,.0f}"
    if value >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"


def report(section: str, results: list[Result]) -> None:
    print(f"\n== {section} ==")
    for result in results:
        figure = f"{_format_number(result.value)} {result.unit}"
        line = f"  {result.name:<52} {figure:>16}"
        if result.limit is not None:
            line += f"   vs {_format_number(result.limit)} {result.unit} ({result.limit_name})"
            if result.ratio is not None and (result.unit.startswith("/") or result.unit in ("ms", "s")):
                line += f" = {result.ratio:.2f}x"
        if result.goal:
            verdict = "ok" if result.ok else "MISSED"
            line += f"   goal {result.goal}: {verdict}"
        print(line, flush=True)


def main(argv: list[str]) -> int:
    sections = argv or list(SECTIONS)
    unknown = [name for name in sections if name not in SECTIONS]
    if unknown:
        print(f"unknown section(s): {', '.join(unknown)}; known: {', '.join(SECTIONS)}")
        return 2
    print(
        f"pyex bench - Python {platform.python_version()}, {os.cpu_count()} CPUs, "
        f"switch interval {sys.getswitchinterval() * 1000:g} ms, {time.strftime('%Y-%m-%d %H:%M')}"
    )
    missed = 0
    for section in sections:
        module = importlib.import_module(f"bench.{section}")
        results = module.run()
        report(section, results)
        missed += sum(1 for result in results if result.ok is False)
    print(f"\n{missed} goal(s) missed" if missed else "\nevery goal met")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
