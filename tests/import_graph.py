"""The import graph of the fundrules package, read from the source (every `import` and `from …
import`, module level or inside functions; not those under `if TYPE_CHECKING:`, which never run).

`python -m tests.import_graph` prints the circles (strongly connected groups of modules that import
each other, directly or not); tests/test_import_graph.py asserts there are none. The layers (the rules
layer below the engine, and so on) are import-linter's contracts in pyproject.toml (`lint-imports`):
import-linter checks layers and cycles between packages, not circles between single modules.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = "fundrules"


def modules(root: Path = ROOT) -> dict[str, Path]:
    found = {}
    for path in sorted((root / PACKAGE).rglob("*.py")):
        name = ".".join(path.relative_to(root).with_suffix("").parts)
        found[name.removesuffix(".__init__")] = path
    return found


def graph(root: Path = ROOT) -> dict[str, set[str]]:
    """{module: modules of the package it imports}."""
    known = modules(root)
    edges: dict[str, set[str]] = {name: set() for name in known}
    for name, path in known.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        edges[name] = _imports(ast.parse(path.read_text(encoding="utf-8")), package, known)
        edges[name].discard(name)
    return edges


def _imports(tree: ast.AST, package: str, known: dict[str, Path]) -> set[str]:
    """The package's modules a module imports (`package`: the package its relative imports start from)."""
    found: set[str] = set()

    class Imports(ast.NodeVisitor):
        def visit_If(self, node: ast.If) -> None:
            if "TYPE_CHECKING" not in ast.unparse(node.test):
                self.generic_visit(node)
            else:
                for other in node.orelse:
                    self.visit(other)

        def visit_Import(self, node: ast.Import) -> None:
            found.update(alias.name for alias in node.names if alias.name in known)

        def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
            if node.level:
                parts = package.split(".")
                base = ".".join(parts[: len(parts) - node.level + 1] + ([node.module] if node.module else []))
            else:
                base = node.module or ""
            for alias in node.names:
                if f"{base}.{alias.name}" in known:
                    found.add(f"{base}.{alias.name}")
                elif base in known:
                    found.add(base)

    Imports().visit(tree)
    return found


def circles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Groups of two or more modules that import each other (Tarjan's strongly connected components)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for other in sorted(edges[node]):
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in on_stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10_000))
    for node in sorted(edges):
        if node not in index:
            visit(node)
    return found


if __name__ == "__main__":
    edges = graph()
    found = circles(edges)
    print(f"{len(edges)} modules, {sum(map(len, edges.values()))} imports")
    print("circles:", found or "none")
    sys.exit(1 if found else 0)
