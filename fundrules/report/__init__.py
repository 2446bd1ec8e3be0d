"""Rendering evaluations for people (French text) and programs (JSON)."""

from .text import render_text

__all__ = ["render_text"]
