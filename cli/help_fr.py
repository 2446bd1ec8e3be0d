"""The help screens in French, layout words included ("Utilisation", "Commandes", "[obligatoire]").

Typer draws help with its own (vendored) click and, when rich is installed, with rich boxes; the
app forces the plain layout (`rich_markup_mode=None`) so that one translation covers every typer
version: typer's own gettext calls are pointed at a French table, and the finished help text is
translated for the words click writes without gettext ("Usage:", "Show this message and exit.")."""

from __future__ import annotations

import re

LAYOUT_FR = {
    "Arguments": "Arguments",
    "Options": "Options",
    "Commands": "Commandes",
    "required": "obligatoire",
    "default: {default}": "par défaut : {default}",
}

_FINISHED = [
    (re.compile(r"^(\s*)Usage: ", re.M), r"\1Utilisation : "),
    (
        re.compile(r"^(\s*)(Options|Arguments|Commandes|Commands):$", re.M),
        lambda m: f"{m.group(1)}{'Commandes' if m.group(2) == 'Commands' else m.group(2)} :",
    ),
    (re.compile(r"Show this message and exit\."), "Afficher cette aide et quitter."),
    (re.compile(r"COMMAND \[ARGS\]\.\.\."), "COMMANDE [ARGUMENTS]..."),
    (re.compile(r"\[required\]"), "[obligatoire]"),
    (re.compile(r"\[default: "), "[par défaut : "),
    (re.compile(r"(\d+)<=x<=(\d+)"), r"\1 à \2"),
    (re.compile(r"<bool>"), ""),
    (re.compile(r"\{([^{}\s]+)\}"), r"\1"),  # typer 0.2x writes required arguments as {CAS}
    # the type after an argument's name (its metavar already says it): blanked, columns kept
    (re.compile(r" <(?:str|list\[str\]|path|int|float|text)>"), lambda m: " " * len(m.group(0))),
    (re.compile(r"(\[par défaut : [^\]]*?); "), r"\1 ; "),
]


def french_layout(text: str) -> str:
    for pattern, replacement in _FINISHED:
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
