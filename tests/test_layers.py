"""Data flows one way: a step of the loop imports only the steps before it.

``schema`` → ``labelstudio`` → ``gold`` → ``dataset`` → ``bench``. The shared modules at the
top of the package (records, problems, errors, …) and the extractors import no step but
``schema`` (the schemas decide); ``cli`` and the package's ``__init__`` may import anything.
Every import counts, also one inside a function.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "annotate"
STEPS = ("schema", "labelstudio", "gold", "dataset", "bench")
ANYTHING = ("cli", "__init__")

# (importing module, imported module) → why this import runs against the flow
EXCEPTIONS = {
    ("annotate.dataset.card", "annotate.bench.leaderboard"): (
        "the dataset card shows the leaderboard's scores, read from its runs file"
    ),
}


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported(source: str, module: str, is_package: bool = False) -> list[tuple[int, str]]:
    """(line, module) of every import in ``source``, at any depth; relative ones resolved."""
    here = module.split(".") if is_package else module.split(".")[:-1]
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = here[: len(here) - node.level + 1] if node.level else []
            parent = ".".join([*base, *([node.module] if node.module else [])])
            found.append((node.lineno, parent))
            # ``from annotate import gold`` imports the step itself
            named = (f"{parent}.{alias.name}" for alias in node.names)
            found += [(node.lineno, name) for name in named if _is_module(name)]
    return found


def _is_module(name: str) -> bool:
    path = PACKAGE.parent.joinpath(*name.split("."))
    return path.is_dir() or path.with_suffix(".py").is_file()


def step_of(module: str) -> str | None:
    """The part of the package ``module`` belongs to: a step, "shared" or "anything"."""
    parts = module.split(".")
    if parts[0] != "annotate":
        return None
    if len(parts) == 1 or parts[1] in ANYTHING:
        return "anything"
    if parts[1] in STEPS:
        return parts[1]
    return "shared"


def against_the_flow(importer: str, target: str) -> bool:
    """True when ``importer`` may not import ``target``."""
    mine, theirs = step_of(importer), step_of(target)
    if mine == "anything" or theirs not in STEPS:
        return False
    if mine == "shared":  # top-level modules and the extractors
        return theirs != "schema"
    assert mine is not None
    return STEPS.index(theirs) > STEPS.index(mine)


def backward_imports() -> list[tuple[str, int, str]]:
    """(module, line, imported module) of every import against the flow."""
    bad = []
    for path in sorted(PACKAGE.rglob("*.py")):
        module = module_name(path)
        source = path.read_text(encoding="utf-8")
        for line, target in sorted(imported(source, module, path.name == "__init__.py")):
            if against_the_flow(module, target):
                bad.append((module, line, target))
    return bad


def test_every_step_imports_only_earlier_steps() -> None:
    offending = [b for b in backward_imports() if (b[0], b[2]) not in EXCEPTIONS]
    listed = "\n".join(
        f"  {module} line {line}: imports {target}" for module, line, target in offending
    )
    assert not offending, f"imports against {' → '.join(STEPS)}:\n{listed}"


def test_every_exception_is_still_needed() -> None:
    used = {(module, target) for module, _, target in backward_imports()}
    assert set(EXCEPTIONS) <= used, f"no longer imported: {sorted(set(EXCEPTIONS) - used)}"


def test_imports_inside_functions_and_relative_ones_are_found() -> None:
    source = (
        "from annotate.records import Task\n"
        "def f():\n"
        "    from annotate.bench import run\n"
        "    from ..dataset.writer import read_gold\n"
        "    import annotate.gold.agreement\n"
    )
    found = imported(source, "annotate.labelstudio.progress")
    bad = [t for _, t in found if against_the_flow("annotate.labelstudio.progress", t)]
    assert bad == [
        "annotate.bench",
        "annotate.bench.run",
        "annotate.dataset.writer",
        "annotate.gold.agreement",
    ]
    assert not against_the_flow("annotate.gold.diff", "annotate.labelstudio.convert")
    assert against_the_flow("annotate.records", "annotate.gold.adjudicate")
    assert not against_the_flow("annotate.cli.status", "annotate.bench.run")
