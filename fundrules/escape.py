"""Text shown in a terminal, a Markdown file or an HTML page: what a case or a file name holds cannot act there.

A case value, an unknown key or a file name may carry an escape sequence (colours, a moved cursor,
a retitled window), a C1 control or a bidirectional override that reorders what is read. Every
text path of the CLI goes through `escape_terminal`; the Markdown meeting pack through `escape_markdown`;
the HTML pack through `escape_html`. One function per output kind, so both packs escape alike: what
the terminal would show as \\x1b or \\u202e, a page shows the same way (a browser too would reorder
text after U+202E, and NUL is not allowed in HTML).
"""

from __future__ import annotations

import re
import unicodedata

_BIDI = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
_LINES = "\u2028\u2029\u0085"


def _unsafe(char: str) -> bool:
    return unicodedata.category(char) == "Cc" or char in _BIDI or char in _LINES or "\ud800" <= char <= "\udfff"


def _shown(char: str) -> str:
    code = ord(char)
    if code < 0x100:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}"


def escape_terminal(text: str, keep_newlines: bool = True) -> str:
    """Controls (C0, DEL, C1), bidi overrides and lone surrogates written as \\x1b, \\u202e…

    `keep_newlines` keeps "\\n" (and tabs) for multi-line output; inside one value, newlines are
    escaped too so a value cannot forge a line of the report.
    """
    if text.isprintable() and not any(c in _BIDI for c in text):
        return text  # the common case, fast
    kept = "\n\t" if keep_newlines else ""
    return "".join(_shown(c) if _unsafe(c) and c not in kept else c for c in text)


def escape_json(text: str) -> str:
    """JSON text with every unsafe character inside its strings written as \\uXXXX: the same JSON
    value (outside strings JSON is ASCII), but nothing a terminal would act on."""
    if text.isprintable() and not any(c in _BIDI for c in text):
        return text
    return "".join(f"\\u{ord(c):04x}" if _unsafe(c) and c not in "\n\t" else c for c in text)


_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>#|~!&{}])")
_LINE_START = re.compile(r"^(\s*)(?:([-+=>])|(\d+)([.)]))")


def escape_markdown(text: str) -> str:
    """Free text on one Markdown line: no emphasis, link, HTML, heading, list or table cell it did not mean."""
    text = escape_terminal(" ".join(str(text).splitlines()), keep_newlines=False)
    text = _MARKDOWN_SPECIAL.sub(r"\\\1", text)
    return _LINE_START.sub(
        lambda m: m.group(1) + (f"\\{m.group(2)}" if m.group(2) else f"{m.group(3)}\\{m.group(4)}"), text
    )


def escape_html(text: str) -> str:
    """Text or attribute value in an HTML page: markup characters as entities (quotes included), and
    controls, bidi overrides, line separators and lone surrogates written visibly (\\x1b, \\u202e) as
    in a terminal; an entity such as &#x202e; would still reorder what is read. Newlines are kept."""
    import html  # with its table of entities: not for a command that prints to a terminal

    return html.escape(escape_terminal(str(text)), quote=True)


def is_web_link(url: str | None) -> bool:
    """A plain http(s) address: the only kind a report makes clickable (never javascript:, data:…)."""
    return url is not None and re.fullmatch(r"https?://[^\s<>\"'`\\\x00-\x1f\x7f]+", url) is not None


def markdown_link(title: str, url: str | None) -> str:
    """An autolink only for a plain http(s) address; anything else is shown as text."""
    if is_web_link(url):
        return f"{escape_markdown(title)} <{url}>"
    if url:
        return f"{escape_markdown(title)} ({escape_markdown(url)})"
    return escape_markdown(title)
