"""Lazy package faces: a public name is imported from its module on first use.

Every face of the package (``analysis`` and its stages) is written the same way::

    __getattr__, __dir__ = attach(__name__, {"compare_groups": "analysis.stats.compare"})

so ``import analysis`` and ``analysis --help`` load no heavy library (scipy, statsmodels,
matplotlib, jieba), while ``analysis.compare_groups`` still works (PEP 562).
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Mapping
from typing import Any

__all__ = ["attach"]


def attach(
    package: str, names: Mapping[str, str]
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """Module-level ``__getattr__`` and ``__dir__`` for a package face.

    Parameters
    ----------
    package
        The face's ``__name__``.
    names
        Public name -> full path of the module that defines it.

    Returns
    -------
    (__getattr__, __dir__)
        ``__getattr__`` imports the module on first access and caches the value in the
        face's namespace, so later lookups cost nothing; ``__dir__`` lists what is there
        and every lazy name.
    """
    names = dict(names)

    def __getattr__(name: str) -> Any:
        module = names.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(module), name)
        setattr(sys.modules[package], name, value)
        return value

    def __dir__() -> list[str]:
        return sorted(set(vars(sys.modules[package])) | set(names))

    return __getattr__, __dir__
