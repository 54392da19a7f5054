"""Apps in layers (docs/rules.md "Layers"): every import between apps goes down, never up.

The imports of every domain module are read with `ast` (module level and
inside functions alike), so a cycle hidden in a function body fails too.
Project wiring (settings, root URLconfs, Celery, WSGI, the demo data that
seeds every app) may import every app: it is listed below, each with its
reason, and nothing else is exempt.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# Lowest first: an app may import the apps before it, never one after it.
LAYERS = ("pairwork", "access", "clients", "visits", "wellbeing", "workspace")
LEVEL = {app: level for level, app in enumerate(LAYERS)}

WIRING = {
    "pairwork/settings.py": "the project's settings name every app",
    "pairwork/urls.py": "the root URLconf mounts every app's pages",
    "pairwork/api_urls.py": "the API router registers every app's viewsets",
    "pairwork/celery.py": "the Celery app finds every app's tasks",
    "pairwork/wsgi.py": "the WSGI entry point loads the project",
    "pairwork/demo": "the demo world seeds every app (manage.py seed_demo)",
    "pairwork/management/commands/seed_demo.py": "runs the demo world",
}


def _is_wiring(path: Path) -> bool:
    relative = path.relative_to(ROOT).as_posix()
    return any(relative == entry or relative.startswith(entry + "/") for entry in WIRING)


def domain_modules():
    for app in LAYERS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" in path.parts or _is_wiring(path):
                continue
            yield app, path


def imported_apps(path: Path) -> set[tuple[str, int, str]]:
    """(app, line, module) for every absolute import of one of our apps, wherever it stands in the file."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        for name in names:
            top = name.split(".")[0]
            if top in LEVEL:
                found.add((top, node.lineno, name))
    return found


def import_graph() -> dict[tuple[str, str], list[str]]:
    edges: dict[tuple[str, str], list[str]] = {}
    for app, path in domain_modules():
        for other, line, name in imported_apps(path):
            if other != app:
                edges.setdefault((app, other), []).append(f"{path.relative_to(ROOT)}:{line} imports {name}")
    return edges


def test_the_wiring_list_names_real_files():
    for entry in WIRING:
        assert (ROOT / entry).exists(), f"{entry} is listed as project wiring but does not exist"


def test_no_two_apps_import_each_other():
    edges = import_graph()
    cycles = sorted(
        f"{a} <-> {b}: " + "; ".join(sorted(edges[(a, b)])[:3] + sorted(edges[(b, a)])[:3])
        for (a, b) in edges if (b, a) in edges and a < b
    )
    assert not cycles, "apps import each other:\n" + "\n".join(cycles)


def test_every_import_between_apps_goes_down_a_layer():
    upward = sorted(
        line for (app, other), lines in import_graph().items() if LEVEL[other] > LEVEL[app] for line in lines
    )
    assert not upward, (
        f"an app imports an app above it (layers, lowest first: {' < '.join(LAYERS)}; docs/rules.md \"Layers\"):\n"
        + "\n".join(upward)
    )


@pytest.mark.parametrize("source, expected", [
    ("from visits.models import Visit", {"visits"}),
    ("def f():\n    import wellbeing.selectors\n", {"wellbeing"}),
    ("from . import models\nimport django", set()),
])
def test_the_reader_sees_imports_at_any_depth(tmp_path, source, expected):
    path = tmp_path / "module.py"
    path.write_text(source)
    assert {app for app, _line, _name in imported_apps(path)} == expected
