"""Reading the code with `ast` for the tests that hold the README and the architecture to it: which
of the contract's events each module makes."""

from __future__ import annotations

import ast
from functools import cache
from pathlib import Path

from contracts.registry import event_types

ROOT = next(p for p in Path(__file__).resolve().parents if (p / "pyproject.toml").exists())


@cache
def events_made() -> dict[Path, set[str]]:
    """The contract's events each module of `services/` makes (calls the class of), by its path. A
    call counts when its name is the event's class as imported from its contract module (`from
    contracts.pairing.pairs import PairFormed`, or `pairs.PairFormed` after `from contracts.pairing
    import pairs`): the feed's messages and the errors of the same names are other classes."""
    classes = event_types()
    found: dict[Path, set[str]] = {}
    for path in (ROOT / "services").rglob("*.py"):
        tree = ast.parse(path.read_text())
        names, modules = {}, {}  # local name -> (module, class); local name -> module
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module and not node.level:
                for alias in node.names:
                    names[alias.asname or alias.name] = (node.module, alias.name)
                    modules[alias.asname or alias.name] = f"{node.module}.{alias.name}"
            elif isinstance(node, ast.Import):
                modules.update({alias.asname or alias.name: alias.name for alias in node.names})
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            if isinstance(node.func, ast.Name) and node.func.id in names:
                module, name = names[node.func.id]
            elif isinstance(node.func, ast.Attribute) and isinstance(node.func.value, ast.Name):
                module, name = modules.get(node.func.value.id), node.func.attr
            else:
                continue
            if name in classes and classes[name].__module__ == module:
                found.setdefault(path, set()).add(name)
    return found
