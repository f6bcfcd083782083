"""The tree is one layer per folder, and imports only go down (docs/architecture.md).

Every import in every module is read with `ast`, including imports inside functions, so a
deferred import that hides a cycle or an upward dependency is caught too."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# Lower layers first; a module may import from layers strictly below its own (and its own package).
LAYERS = {"core": 0, "schemas": 1, "enrich": 2, "store": 3, "delivery": 3, "workers": 4, "service": 5}
# What each layer may not touch at all, whatever its rank.
FORBIDDEN_LIBRARIES = {
    "core": {"flask", "celery", "kombu", "redis", "flask_smorest"},
    "schemas": {"flask", "celery", "kombu", "redis"},
    "enrich": {"flask", "celery", "kombu", "redis", "requests", "urllib3"},
    "store": {"flask", "celery", "kombu", "flask_smorest"},
    "delivery": {"flask", "celery", "kombu", "redis", "flask_smorest"},
}
TASK_MODULES = {"workers.tasks", "workers.index_tasks", "workers.delivery_tasks"}


def _modules() -> dict[str, Path]:
    found = {}
    for package in LAYERS:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            found[name] = path
    return found


def _imports(path: Path, module: str, modules: dict[str, Path]) -> set[str]:
    """Every module name `path` imports (absolute names; relative imports resolved)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = module.split(".")[: -node.level] if path.name != "__init__.py" else \
                    module.split(".")[: len(module.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            for alias in node.names:  # `from pkg import module` depends on the module alone
                names.add(f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base)
    return names


MODULES = _modules()
IMPORTS = {name: _imports(path, name, MODULES) for name, path in MODULES.items()}


def _layer(name: str) -> str:
    return name.split(".")[0]


def upward_imports(imports: dict[str, set[str]]) -> list[str]:
    bad = []
    for module, names in imports.items():
        own = _layer(module)
        for name in names:
            other = _layer(name)
            if other in LAYERS and other != own and LAYERS[other] >= LAYERS[own]:
                bad.append(f"{module} imports {name} ({other} is not below {own})")
            if other in FORBIDDEN_LIBRARIES.get(own, set()):
                bad.append(f"{module} imports {name} ({own} must not depend on {other})")
    return sorted(bad)


def test_every_layer_imports_only_downward() -> None:
    assert upward_imports(IMPORTS) == []


def test_the_check_catches_an_upward_import() -> None:
    """The rule itself can fail: a store module reaching up into the workers is reported."""
    assert upward_imports({"store.jobs": {"workers.pipeline"}, "enrich.nlp": {"redis"}}) == [
        "enrich.nlp imports redis (enrich must not depend on redis)",
        "store.jobs imports workers.pipeline (workers is not below store)",
    ]


def test_the_api_never_imports_a_task_module() -> None:
    tasks = [f"{m} imports {n}" for m, names in IMPORTS.items() if _layer(m) == "service"
             for n in names if n in TASK_MODULES or n.startswith(tuple(t + "." for t in TASK_MODULES))]
    assert tasks == []


def _cycles(imports: dict[str, set[str]]) -> list[list[str]]:
    graph = {m: {n for n in names if n in imports and n != m} for m, names in imports.items()}
    cycles, state, stack = [], {}, []

    def visit(node: str) -> None:
        state[node] = "open"
        stack.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == "open":
                cycles.append(stack[stack.index(nxt):] + [nxt])
            elif nxt not in state:
                visit(nxt)
        stack.pop()
        state[node] = "done"

    for node in sorted(graph):
        if node not in state:
            visit(node)
    return cycles


def test_no_import_cycles() -> None:
    assert _cycles(IMPORTS) == []


def test_the_cycle_check_can_fail() -> None:
    assert _cycles({"a": {"b"}, "b": {"a"}}) == [["a", "b", "a"]]


@pytest.mark.parametrize("layer", sorted(LAYERS))
def test_each_layer_is_a_folder_with_modules(layer: str) -> None:
    assert (ROOT / layer / "__init__.py").exists()
    assert any(_layer(m) == layer for m in MODULES)


def test_the_callers_client_stands_alone() -> None:
    """newsroom_client is what a caller installs: it imports none of the service's own packages."""
    path = ROOT / "newsroom_client"
    modules = {".".join(p.relative_to(ROOT).with_suffix("").parts): p for p in path.glob("*.py")}
    reaching = [f"{m} imports {n}" for m, p in modules.items() for n in _imports(p, m, MODULES)
                if _layer(n) in LAYERS]
    assert modules and reaching == []
