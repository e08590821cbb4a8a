"""Rapport's build: everything is in pyproject.toml except the one compiled part.

Promise detection (habits/detection) runs on every chat message, so it is compiled with mypyc
(part of mypy: the same type hints `make lint` checks, turned into a C extension). The sources
stay the reference: tests/unit/test_detection_native.py checks that the compiled modules and
their sources give the same answers, and `make` rebuilds the extensions whenever a source is
newer (tests/conftest.py refuses to run against stale ones). Set RAPPORT_PURE_PYTHON=1 to build
without them (the plain sources are then imported; about a fifth slower: docs/detection.md,
"Compiled").
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from setuptools import setup

# Every module but the package's __init__.py, which only re-exports (mypyc would give a compiled
# package module the wrong __path__). The modules share one runtime library, which sits beside the
# package: habits/detection_native__mypyc.*.so.
NATIVE = sorted(str(path) for path in Path("habits/detection").glob("*.py") if path.name != "__init__.py")
GROUP = "habits.detection_native"

# What the build was made from: each source's SHA-256, written once the build succeeded.
# tests/conftest.py compares it with the sources (file times cannot tell: the compiled code sits
# in the shared library, which the build only relinks when the generated C changed).
BUILT_FROM = Path("habits/detection/.compiled")

if os.environ.get("RAPPORT_PURE_PYTHON"):
    setup()
else:
    from mypyc.build import mypycify

    setup(ext_modules=mypycify(NATIVE, opt_level="3", group_name=GROUP))
    BUILT_FROM.write_text(json.dumps({Path(name).name: hashlib.sha256(Path(name).read_bytes())
                                      .hexdigest() for name in NATIVE}, indent=1, sort_keys=True))
