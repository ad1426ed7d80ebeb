from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import annotate


def test_all_lists_exactly_the_public_names() -> None:
    for name in annotate.__all__:  # loaded on first use: each must resolve
        assert getattr(annotate, name) is not None
    public = {name for name in vars(annotate) if not name.startswith("_")}
    modules = {name for name, value in vars(annotate).items() if type(value).__name__ == "module"}
    assert set(annotate.__all__) == public - modules
    assert annotate.__all__ == sorted(annotate.__all__)


def test_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no attribute 'no_such_name'"):
        annotate.no_such_name  # noqa: B018


def test_package_is_typed() -> None:
    assert importlib.resources.files("annotate").joinpath("py.typed").is_file()


MODULES = sorted(m.name for m in pkgutil.walk_packages(annotate.__path__, "annotate."))


@pytest.mark.parametrize("name", MODULES)
def test_doctests(name: str) -> None:
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0
