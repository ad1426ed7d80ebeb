from __future__ import annotations

import ast
import doctest
import importlib
import os
import pkgutil
import re
import subprocess
import sys
import tomllib
import types
from pathlib import Path

import pytest

import annotate

# The loop, step by step, and what a library user calls for each (README.md, docs/).
LOOP = {
    "schema": {"SchemaSet", "labeling_config"},
    "corpus": {"load_corpus"},
    "server": {"LocalServer", "Client", "Connection", "resolve_connection"},
    "push": {"push", "PushOptions", "PushReport"},
    "pull": {"pull", "PullReport"},
    "convert": {"iter_tasks", "Converted"},
    "validate": {"validate_export", "ValidationReport"},
    "agreement": {"agreement", "AgreementReport"},
    "adjudicate": {"adjudicate", "adjudicate_all", "Adjudication", "Disagreement"},
    "export": {"ExportRun", "ExportOptions", "ExportSummary", "read_gold"},
    "bench": {"score_predictions", "run_extractor", "BenchReport", "load_predictions"},
}


def test_all_covers_every_step_of_the_loop() -> None:
    missing = {step: names - set(annotate.__all__) for step, names in LOOP.items()}
    assert {step: names for step, names in missing.items() if names} == {}


@pytest.mark.parametrize("name", annotate.__all__)
def test_each_public_name_is_the_object_of_its_home_module(name: str) -> None:
    home = importlib.import_module(f"annotate.{annotate._HOMES[name]}")
    value = getattr(annotate, name)
    assert value is getattr(home, name)
    assert getattr(value, "__module__", "").startswith("annotate.")
    assert not isinstance(value, types.ModuleType)


def test_all_is_the_lazy_table_sorted() -> None:
    assert annotate.__all__ == sorted(annotate._HOMES)
    public = {n for n, v in vars(annotate).items() if not n.startswith("_")}
    public -= {n for n, v in vars(annotate).items() if isinstance(v, types.ModuleType)}
    assert public <= set(annotate.__all__)  # only names of __all__ are loaded into the package


def test_the_bench_function_survives_importing_the_bench_package() -> None:
    """``annotate.bench`` is the subpackage; the function has a name of its own."""
    importlib.import_module("annotate.bench.run")
    assert isinstance(annotate.bench, types.ModuleType)
    assert annotate.score_predictions.__name__ == "score_predictions"
    assert "bench" not in annotate.__all__


def test_importing_annotate_loads_no_step_until_asked() -> None:
    code = (
        "import sys, annotate; "
        "before = sorted(m for m in sys.modules if m.startswith(('annotate.', 'datasets'))); "
        "annotate.ExportRun; "
        "after = 'annotate.dataset.run' in sys.modules; "
        "print(before, after)"
    )
    env = {**os.environ, "PYTHONPATH": str(Path(annotate.__file__).parent.parent)}
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env
    )
    assert out.stdout.strip() == "[] True"


# What the library imports at run time is what pyproject.toml declares, and no more.
RUNTIME_IMPORTS = {  # import name -> distribution
    "datasets": "datasets",
    "dateparser": "dateparser",
    "httpx": "httpx",
    "huggingface_hub": "huggingface-hub",
    "jsonschema": "jsonschema",
    "jsonschema_rs": "jsonschema-rs",
    "label_studio_sdk": "label-studio-sdk",
    "numpy": "numpy",
    "orjson": "orjson",
    "pyarrow": "pyarrow",
    "referencing": "referencing",
    "tqdm": "tqdm",
}


def _imported_packages() -> set[str]:
    found = set()
    for path in Path(annotate.__file__).parent.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                found.add(node.module.split(".")[0])
    return found - set(sys.stdlib_module_names) - {"annotate"}


def _declared() -> list[str]:
    pyproject = Path(__file__).resolve().parent.parent / "pyproject.toml"
    project = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]
    return [re.split(r"[<>=!~ \[]", dep, maxsplit=1)[0] for dep in project["dependencies"]]


def test_runtime_dependencies_are_what_the_library_imports() -> None:
    imported = _imported_packages()
    assert imported == set(RUNTIME_IMPORTS)
    assert sorted(_declared()) == sorted(RUNTIME_IMPORTS[name] for name in imported)


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
