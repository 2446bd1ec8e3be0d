"""The condition language of rulesets: our own small grammar, typed, evaluated in Kleene logic."""

from .ast import Node
from .kleene import evaluate, facts_of
from .parser import parse
from .typecheck import check

__all__ = ["Node", "parse", "check", "evaluate", "facts_of"]
