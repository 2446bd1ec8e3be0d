"""Syntax tree of a condition. Nodes are immutable so compiled rules can be shared and hashed."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Union

Value = Union[bool, int, float, str, dt.date]


@dataclass(frozen=True)
class Literal:
    value: Value

    def text(self) -> str:
        v = self.value
        if isinstance(v, bool):
            return "true" if v else "false"
        if isinstance(v, str):
            return '"' + v.replace('"', '\\"') + '"'
        if isinstance(v, dt.date):
            return v.isoformat()
        return repr(v)


@dataclass(frozen=True)
class Name:
    """A fact path or a parameter name, before resolution."""

    name: str
    column: int = 0

    def text(self) -> str:
        return self.name


@dataclass(frozen=True)
class FactRef:
    path: str

    def text(self) -> str:
        return self.path


@dataclass(frozen=True)
class ParamRef:
    name: str

    def text(self) -> str:
        return self.name


@dataclass(frozen=True)
class Call:
    function: str
    args: tuple[Node, ...]
    column: int = 0

    def text(self) -> str:
        return f"{self.function}({', '.join(a.text() for a in self.args)})"


@dataclass(frozen=True)
class Arith:
    op: str  # + - *
    left: Node
    right: Node

    def text(self) -> str:
        return f"({self.left.text()} {self.op} {self.right.text()})"


@dataclass(frozen=True)
class Compare:
    op: str  # == != < <= > >=
    left: Node
    right: Node
    column: int = 0

    def text(self) -> str:
        return f"{self.left.text()} {self.op} {self.right.text()}"


@dataclass(frozen=True)
class In:
    left: Node
    items: tuple[Literal, ...]
    column: int = 0

    def text(self) -> str:
        return f"{self.left.text()} in [{', '.join(i.text() for i in self.items)}]"


@dataclass(frozen=True)
class Not:
    item: Node

    def text(self) -> str:
        return f"not {_wrap(self.item)}"


@dataclass(frozen=True)
class And:
    items: tuple[Node, ...]

    def text(self) -> str:
        return " and ".join(_wrap(i) for i in self.items)


@dataclass(frozen=True)
class Or:
    items: tuple[Node, ...]

    def text(self) -> str:
        return " or ".join(_wrap(i) for i in self.items)


def _wrap(node: Node) -> str:
    return f"({node.text()})" if isinstance(node, (And, Or)) else node.text()


Node = Union[Literal, Name, FactRef, ParamRef, Call, Arith, Compare, In, Not, And, Or]
