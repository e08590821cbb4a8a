"""The docstring examples of the domain and the core run as tests, so none of them is wrong.

(Adapters' examples are illustrations of calls against live platforms and are not run.)
"""

from __future__ import annotations

import doctest
import importlib
import pkgutil
from types import ModuleType

import pytest

import bot
import habits
from bench.detection_report import load_pure_sources


def _modules(package: ModuleType) -> list[str]:
    return sorted(info.name for info in pkgutil.walk_packages(package.__path__, package.__name__ + ".")
                  if not info.name.endswith("__mypyc"))  # the compiled modules' shared runtime


def readable(module: ModuleType) -> ModuleType:
    """The module whose docstrings doctest can read: a module setup.py compiled (its functions are
    built-ins, which doctest skips) is read from its plain source (tests/unit/test_detection_native
    checks that the two agree)."""
    if module.__file__ is None or module.__file__.endswith(".py"):
        return module
    pure = load_pure_sources()
    return pure if module.__name__ == "habits.detection" else \
        importlib.import_module(pure.__name__ + module.__name__.removeprefix("habits.detection"))


@pytest.mark.parametrize("name", _modules(habits) + _modules(bot))
def test_docstring_examples_hold(name: str) -> None:
    module = readable(importlib.import_module(name))
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0, f"{result.failed} of {result.attempted} examples in {name} failed"
