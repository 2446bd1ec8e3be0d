"""The help screens in French, layout words included ("Utilisation", "Commandes", "[obligatoire]").

Typer draws help with its own (vendored) click and, when rich is installed, with rich boxes; the
app forces the plain layout (`rich_markup_mode=None`) so that one translation covers every typer
version: typer's own gettext calls are pointed at a French table, and the finished help text is
translated for the words click writes without gettext ("Usage:", "Show this message and exit.")."""

from __future__ import annotations

import functools
import re

LAYOUT_FR = {
    "Arguments": "Arguments",
    "Options": "Options",
    "Commands": "Commandes",
    "required": "obligatoire",
    "default: {default}": "par défaut : {default}",
}

# (pattern, flags, replacement), compiled when a help screen is first drawn: a command that shows
# no help (a cold `check`) does not compile them
_FINISHED = [
    (r"^(\s*)Usage: ", re.M, r"\1Utilisation : "),
    (
        r"^(\s*)(Options|Arguments|Commandes|Commands):$",
        re.M,
        lambda m: f"{m.group(1)}{'Commandes' if m.group(2) == 'Commands' else m.group(2)} :",
    ),
    (r"Show this message and exit\.", 0, "Afficher cette aide et quitter."),
    (r"COMMAND \[ARGS\]\.\.\.", 0, "COMMANDE [ARGUMENTS]..."),
    (r"\[required\]", 0, "[obligatoire]"),
    (r"\[default: ", 0, "[par défaut : "),
    (r"(\d+)<=x<=(\d+)", 0, r"\1 à \2"),
    (r"<bool>", 0, ""),
    (r"\{([^{}\s]+)\}", 0, r"\1"),  # typer 0.2x writes required arguments as {CAS}
    # the type after an argument's name (its metavar already says it): blanked, columns kept
    (r" <(?:str|list\[str\]|path|int|float|text)>", 0, lambda m: " " * len(m.group(0))),
    (r"(\[par défaut : [^\]]*?); ", 0, r"\1 ; "),
]


@functools.cache
def _compiled() -> list:
    return [(re.compile(pattern, flags), replacement) for pattern, flags, replacement in _FINISHED]


def french_layout(text: str) -> str:
    for pattern, replacement in _compiled():
        text = pattern.sub(replacement, text)
    return text


def _translate(message: str) -> str:
    return LAYOUT_FR.get(message, message)


def install() -> None:
    """Translate typer's layout words; harmless where a typer version lacks one of the hooks."""
    try:
        import typer.core as typer_core

        if hasattr(typer_core, "_"):
            typer_core._ = _translate
    except ImportError:  # pragma: no cover
        pass
    commands = []
    try:
        from typer._click.core import Command as VendoredCommand

        commands.append(VendoredCommand)
    except ImportError:  # pragma: no cover - older typer: the click package
        pass
    if not commands:  # the click package only when typer uses it: importing it costs ~10 ms of start-up
        try:
            from click.core import Command as ClickCommand

            commands.append(ClickCommand)
        except ImportError:  # pragma: no cover
            pass
    for command in commands:
        original = command.get_help
        if getattr(original, "_french", False):
            continue

        def get_help(self, ctx, _original=original):
            return french_layout(_original(self, ctx))

        get_help._french = True  # type: ignore[attr-defined]
        command.get_help = get_help
