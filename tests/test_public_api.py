"""Keeps ``fimihub.__all__`` honest: every listed name exists, and every public name is listed."""

from __future__ import annotations

import importlib
import pkgutil

import fimihub


def test_every_listed_name_exists() -> None:
    missing = [name for name in fimihub.__all__ if not hasattr(fimihub, name)]
    assert missing == []


def test_every_public_attribute_is_listed() -> None:
    public = {
        name
        for name, value in vars(fimihub).items()
        if not name.startswith("_") and not isinstance(value, type(fimihub))
    }
    assert public - set(fimihub.__all__) == set()


def test_all_is_sorted_and_unique() -> None:
    assert len(set(fimihub.__all__)) == len(fimihub.__all__)


def test_every_module_imports_without_side_effects() -> None:
    # No work at import time: importing every module must neither fail nor open anything.
    for info in pkgutil.walk_packages(fimihub.__path__, "fimihub."):
        if ".migrations" in info.name or info.name.endswith("__main__"):
            continue
        importlib.import_module(info.name)


def test_subpackages_declare_all() -> None:
    for name in ("fimihub.model", "fimihub.policy", "fimihub.storage", "fimihub.vocab", "fimihub.hub"):
        module = importlib.import_module(name)
        assert all(hasattr(module, n) for n in module.__all__), name
