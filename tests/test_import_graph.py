"""The import graph, read from the source (every import, also those inside functions, which a
fresh-interpreter import would not catch): the foundation (``eldercare``) does not reach into
the orchestration and domain layers, and the settings, pipelines and quality packages hold no
import cycle, hidden by a late import or not."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LAYERS = ("eldercare", "pipelines", "quality", "migration", "models", "cockpit", "reports")
# Where a cycle would hide today's late imports; migration's generator package is its own.
ACYCLIC = ("eldercare", "pipelines", "quality")
# The command line is the top of the stack, although it lives beside the settings (its home by
# convention): it alone may call into every layer.
TOP = "eldercare.cli"


def _modules() -> dict[str, Path]:
    out = {}
    for package in LAYERS:
        for path in (ROOT / package).rglob("*.py"):
            name = ".".join(path.relative_to(ROOT).with_suffix("").parts)
            out[name.removesuffix(".__init__")] = path
    return out


def import_graph() -> dict[str, set[str]]:
    """module -> the project's modules it imports anywhere in its text."""
    modules = _modules()
    graph = {}
    for name, path in modules.items():
        found = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                found.add(node.module)
                found.update(f"{node.module}.{alias.name}" for alias in node.names)
        graph[name] = {m for m in found if m in modules and m != name}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    out: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while (w := stack.pop()) != v:
                component.append(w)
            if component:
                out.append(sorted([v, *component]))

    for v in graph:
        if v not in index:
            visit(v)
    return out


def test_no_import_cycle_in_settings_pipelines_and_quality() -> None:
    graph = import_graph()
    inner = {
        name: {m for m in deps if m.startswith(ACYCLIC)}
        for name, deps in graph.items()
        if name.startswith(ACYCLIC)
    }
    assert cycles(inner) == []


def test_the_foundation_imports_no_other_layer() -> None:
    graph = import_graph()
    reaching = {
        name: sorted(m for m in deps if not m.startswith("eldercare"))
        for name, deps in graph.items()
        if name.startswith("eldercare") and name != TOP
    }
    assert {name: deps for name, deps in reaching.items() if deps} == {}
