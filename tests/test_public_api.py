"""Keeps ``fimihub.__all__`` honest: every listed name exists, and every public name is listed."""

from __future__ import annotations

import importlib

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


# That every module's ``__all__`` is sorted, and that importing any module has no side effects (in a fresh
# interpreter), is tests/test_modules.py's.


def test_subpackages_declare_all() -> None:
    for name in ("fimihub.model", "fimihub.policy", "fimihub.storage", "fimihub.vocab", "fimihub.hub"):
        module = importlib.import_module(name)
        assert all(hasattr(module, n) for n in module.__all__), name
