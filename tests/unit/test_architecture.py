"""The shape of the code, read from its import statements with `ast`, so that it cannot drift.
Every module stands in one layer, by the folder it is in (the contract, shared code, the contexts,
the read side, the entry points, the tooling); then: no cycles; the contract depends on nothing of
ours; contexts read no read model (every query lives with the read model it reads); read models are
built from events alone, their queries use no more of a context than its pure modules, and an entry
point takes their queries, never their tables; contexts know no entry point; the API knows no
dashboard; where a context decides and folds (the modules that make its events or define its
decide/evolve functions, found in the code) it does no I/O, directly or through what it imports;
modules stay small, and so do the entry points' functions; the read side names no event by a
string; the tooling (bench, demo, synthetic data) stands beside the product, named by it only where
`aixin` registers its commands, and appends to the log only through the event log."""

from __future__ import annotations

import ast
import importlib
from functools import cache
from pathlib import Path

import pytest
from sqlalchemy import Table

from contracts.registry import event_types
from services.projections import all_projections
from tests.unit.code_reading import events_made

ROOT = next(p for p in Path(__file__).resolve().parents if (p / "pyproject.toml").exists())
PACKAGES = ("contracts", "services", "tooling")
# Every module is in one layer, by the folder it stands in: a new folder says where it belongs here.
LAYERS = {
    "contract": ("contracts",),
    "shared": ("services.shared",),
    "context": ("services.intake", "services.pairing", "services.activity", "services.reporting",
                "services.importing", "services.accounts"),
    "read side": ("services.projections", "services.feed"),
    "entry point": ("services.cli", "services.platform", "services.api", "services.dashboard"),
    "tooling": ("tooling",),
}
ROOTS = ("services",)  # the namespace the layers share, nothing in it
CONTEXTS, READ_MODELS, ENTRY_POINTS = LAYERS["context"], LAYERS["read side"], LAYERS["entry point"]
IO_LIBRARIES = ("nats", "faststream", "sqlalchemy", "httpx", "services.shared.eventlog", "services.shared.db")
MAX_LINES = 260  # "about 250"
# An entry point's function (a route, a page, a command) reads, calls and answers: no longer than this.
MAX_ENTRY_POINT_FUNCTION_LINES = 40
STRING_FREE = ("services.projections", "services.activity.reminders", "services.feed")
# The tooling's one door into the product: the `aixin` command registers `demo` and `bench`.
TOOLING_REGISTRATION = ("services.cli.app", "tooling.cli")
# Raw JetStream publishes are the bench's baseline, into a stream of its own; nothing else of the
# tooling publishes but through the event log.
RAW_BASELINE = "tooling.bench.raw"


@cache
def modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            parts = path.relative_to(ROOT).with_suffix("").parts
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            found[name] = path
    return found


@cache
def imports() -> dict[str, set[str]]:
    """Every module's imports of other modules (of ours or not), wherever in the module they stand."""
    known = modules()
    graph: dict[str, set[str]] = {}
    for name, path in known.items():
        targets: set[str] = set()
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                targets.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    base = ".".join([*package.split(".")[:len(package.split(".")) - node.level + 1], base]).strip(".")
                for alias in node.names:
                    submodule = f"{base}.{alias.name}"
                    targets.add(submodule if submodule in known else base)
        graph[name] = targets - {name}
    return graph


@cache
def doing_io() -> frozenset[str]:
    """The modules that do I/O: those importing an I/O library, and those importing one of them."""
    graph = imports()
    found = {name for name, targets in graph.items() if any(within(t, IO_LIBRARIES) for t in targets)}
    while grown := {name for name, targets in graph.items() if name not in found and targets & found}:
        found |= grown
    return frozenset(found)


@cache
def deciding() -> frozenset[str]:
    """The modules where a context decides and folds: those that make one of the contract's events,
    and those that define a `decide…` or `evolve…` function."""
    makers = {name for name, path in modules().items() if path in events_made()}
    folds = {name for name, path in modules().items()
             for node in ast.parse(path.read_text()).body
             if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
             and node.name.startswith(("decide", "evolve"))}
    return frozenset(name for name in makers | folds if within(name, CONTEXTS))


def within(name: str, prefixes: tuple[str, ...]) -> bool:
    return any(name == p or name.startswith(p + ".") for p in prefixes)


def offending(source: tuple[str, ...], target: tuple[str, ...]) -> list[str]:
    return sorted(f"{name} imports {target_name}" for name, targets in imports().items()
                  if within(name, source)
                  for target_name in targets if within(target_name, target))


def test_there_is_no_import_cycle() -> None:
    graph = {name: {t for t in targets if t in modules()} for name, targets in imports().items()}
    cycles, index, low, stack, on_stack = [], {}, {}, [], set()

    def visit(node: str) -> None:  # Tarjan's strongly connected components
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in graph[node]:
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while (member := stack.pop()) != node:
                on_stack.discard(member)
                component.append(member)
            on_stack.discard(node)
            if component:
                cycles.append(sorted([node, *component]))

    for name in sorted(graph):
        if name not in index:
            visit(name)
    assert cycles == []


def test_the_contract_imports_nothing_of_the_services() -> None:
    assert offending(("contracts",), ("services",)) == []


def test_no_context_imports_a_read_model() -> None:
    assert offending(CONTEXTS, READ_MODELS) == []


def test_every_module_stands_in_one_layer_by_its_folder() -> None:
    placed = {name: [layer for layer, folders in LAYERS.items() if within(name, folders)] for name in modules()}
    assert {name: layers for name, layers in placed.items() if len(layers) != 1 and name not in ROOTS} == {}


def test_read_models_import_no_entry_point_and_no_context_module_doing_io() -> None:
    adapters = sorted(f"{name} imports {target}" for name, targets in imports().items() if within(name, READ_MODELS)
                      for target in targets if within(target, CONTEXTS) and target in doing_io())
    assert offending(READ_MODELS, ENTRY_POINTS) == [] and adapters == []


def test_entry_points_read_a_read_model_only_through_its_queries() -> None:
    """No entry point imports a read model's table to build its own statement on it."""
    tables = sorted(f"{name} imports {node.module}.{alias.name}" for name, path in modules().items()
                    if within(name, ENTRY_POINTS)
                    for node in ast.walk(ast.parse(path.read_text()))
                    if isinstance(node, ast.ImportFrom) and within(node.module or "", READ_MODELS)
                    for alias in node.names
                    if isinstance(getattr(importlib.import_module(node.module), alias.name, None), Table))
    assert tables == []


def test_read_models_are_built_from_events_alone() -> None:
    """What a read model's updater reaches through the read side's own modules names no context: its
    rows are facts from events; rules (a cadence, a score) are applied by its queries on read."""
    graph = imports()
    updaters = {type(projection).__module__ for projection in all_projections()}
    reached, todo = set(), list(updaters)
    while todo:
        if (name := todo.pop()) not in reached:
            reached.add(name)
            todo.extend(t for t in graph[name] if within(t, READ_MODELS) and t in modules())
    assert sorted(f"{name} imports {target}" for name in reached for target in graph[name]
                  if within(target, CONTEXTS)) == []


def test_contexts_read_models_and_shared_code_import_no_entry_point() -> None:
    assert offending(CONTEXTS + READ_MODELS + ("services.shared",), ENTRY_POINTS) == []


def test_the_api_imports_no_dashboard() -> None:
    """The dashboard reads through the API; the platform, not the API, serves the two together."""
    assert offending(("services.api",), ("services.dashboard",)) == []


def test_shared_code_imports_no_context_and_no_read_model() -> None:
    assert offending(("services.shared",), CONTEXTS + READ_MODELS) == []


def test_where_a_context_decides_and_folds_it_does_no_io() -> None:
    """Its handlers load, append and store; its decisions and folds are pure, and so is every module
    they import."""
    # Found in the code, so each context is seen to decide somewhere (importing only turns a list's
    # rows into the commands that intake decides on).
    silent = [c for c in CONTEXTS if c != "services.importing" and not any(within(n, (c,)) for n in deciding())]
    assert (silent, sorted(deciding() & doing_io())) == ([], [])


@pytest.mark.parametrize("package", PACKAGES)
def test_no_module_is_longer_than_about_250_lines(package: str) -> None:
    long = {name: n for name, path in modules().items() if within(name, (package,))
            if (n := len(path.read_text().splitlines())) > MAX_LINES}
    assert long == {}


def test_no_function_of_an_entry_point_is_longer_than_40_lines() -> None:
    """From its `def` to its last line, signature and docstring included."""
    long = sorted(f"{name}.{node.name}: {node.end_lineno - node.lineno + 1}"
                  for name, path in modules().items() if within(name, ENTRY_POINTS)
                  for node in ast.walk(ast.parse(path.read_text()))
                  if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
                  and node.end_lineno - node.lineno + 1 > MAX_ENTRY_POINT_FUNCTION_LINES)
    assert long == []

def test_the_read_side_names_no_event_by_a_string() -> None:
    names = set(event_types())
    quoted = sorted(f"{name}: {node.value!r}" for name, path in modules().items() if within(name, STRING_FREE)
                    for node in ast.walk(ast.parse(path.read_text()))
                    if isinstance(node, ast.Constant) and node.value in names)
    assert quoted == []


def test_the_product_names_the_tooling_only_where_aixin_registers_its_commands() -> None:
    registrar, registered = TOOLING_REGISTRATION
    assert offending(("contracts", "services"), ("tooling",)) == [f"{registrar} imports {registered}"]


def test_the_tooling_reaches_the_log_only_through_the_event_log() -> None:
    """It imports the event log's package, never one of its modules, and publishes to JetStream
    only in the raw baseline (its own stream): events reach the platform's stream as the product
    appends them."""
    inside = [i for i in offending(("tooling",), ("services.shared.eventlog",))
              if not i.endswith(" imports services.shared.eventlog")]
    publishing = sorted(f"{name}:{node.lineno}" for name, path in modules().items()
                        if within(name, ("tooling",)) and name != RAW_BASELINE
                        for node in ast.walk(ast.parse(path.read_text()))
                        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                        and node.func.attr in ("publish", "publish_async"))
    assert (inside, publishing) == ([], [])
