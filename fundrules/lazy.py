"""Names a package exports but imports only when first used: a cold `fundrules check` does not pay
for the modules (and their pydantic models) a command does not use."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable
from typing import Any


def lazy_exports(
    package: str, exports: dict[str, str], namespace: dict[str, Any], public: Iterable[str]
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """The module-level `__getattr__` and `__dir__` of `package`: a name of `exports` ({name: relative
    module}) is imported on first access, then kept in `namespace` (the next access is a plain
    attribute); any other name is an AttributeError as usual."""
    listed = set(public)

    def __getattr__(name: str) -> Any:
        module = exports.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(module, package), name)
        namespace[name] = value
        return value

    def __dir__() -> list[str]:
        return sorted(set(namespace) | listed)

    return __getattr__, __dir__
