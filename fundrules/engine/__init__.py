"""The engine and its two backends (durable-rules, the default, and the plain-Python reference)."""

from .core import BACKENDS, Engine

__all__ = ["Engine", "BACKENDS"]
