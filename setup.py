"""The one compiled part of pyex: the fast path of send() and receive() (pyex/runtime/fastpath.py).

Optional: where it cannot be built (no C compiler), pyex runs the same code in
pure Python, only slower.
"""

from setuptools import Extension, setup

setup(
    ext_modules=[
        Extension("pyex.runtime._fastpath", ["pyex/runtime/_fastpath.c"], optional=True),
    ]
)
