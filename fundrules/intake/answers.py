"""A counsellor's typed answer read as a fact's value: oui/non, JJ/MM/AAAA, numbers with a French
comma, a choice by its number, its label or its code. A refusal says what is allowed, in French."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from typing import Any

from ..case import EARLIEST_DATE, LATEST_DATE, iso_date
from ..french import number_fr
from .model import Question

SKIP_WORDS = ("je ne sais pas", "ne sais pas", "nsp", "inconnu")
BACK_WORDS = ("retour",)
END_WORDS = ("fin",)
MAX_ANSWER_LENGTH = 200

_YES = ("oui", "o")
_NO = ("non", "n")
_DATE_FR = re.compile(r"([0-9]{1,2})/([0-9]{1,2})/([0-9]{4})")
_NUMBER = re.compile(r"-?[0-9]+(?:[,.][0-9]+)?")


class AnswerError(ValueError):
    """An answer that does not fit the question; its text is the French reason."""


def plain(text: str) -> str:
    """Compare without case, accents or surrounding spaces: "Élevé " matches "eleve"."""
    folded = unicodedata.normalize("NFKD", text.strip().lower())
    return " ".join("".join(ch for ch in folded if not unicodedata.combining(ch)).split())


def allowed(question: Question) -> str:
    """What the question accepts, said in French (shown again after a wrong answer)."""
    if question.type == "bool":
        return "oui ou non"
    if question.type == "enum":
        return " ; ".join(f"{i}. {c.label}" for i, c in enumerate(question.choices, 1)) + " (numéro ou libellé)"
    if question.type == "date":
        return "une date JJ/MM/AAAA"
    if question.type in ("int", "number"):
        kind = "un nombre entier" if question.type == "int" else "un nombre (virgule décimale)"
        bounds = []
        if question.minimum is not None:
            bounds.append(f"au moins {number_fr(question.minimum)}")
        if question.maximum is not None:
            bounds.append(f"au plus {number_fr(question.maximum)}")
        unit = f" en {question.unit}" if question.unit else ""
        return kind + unit + (f" ({', '.join(bounds)})" if bounds else "")
    return f"un texte d'au plus {MAX_ANSWER_LENGTH} caractères"


def parse_answer(question: Question, text: str) -> Any:
    """The value of `text` for `question`; AnswerError with the French reason when it does not fit."""
    said = plain(text)
    if not said:
        raise AnswerError("réponse vide")
    if question.type == "bool":
        if said in _YES:
            return True
        if said in _NO:
            return False
        raise AnswerError(f"« {text.strip()} » n'est ni oui ni non")
    if question.type == "enum":
        if said.isdigit() and 1 <= int(said) <= len(question.choices):
            return question.choices[int(said) - 1].value
        for choice in question.choices:
            if said in (plain(choice.label), plain(str(choice.value))):
                return choice.value
        raise AnswerError(f"« {text.strip()} » n'est pas une des valeurs possibles")
    if question.type == "date":
        return _date(text.strip())
    if question.type in ("int", "number"):
        return _number(question, said)
    value = unicodedata.normalize("NFC", text.strip())
    if len(value) > MAX_ANSWER_LENGTH:
        raise AnswerError(f"réponse trop longue (au plus {MAX_ANSWER_LENGTH} caractères)")
    return value


def _date(text: str) -> dt.date:
    match = _DATE_FR.fullmatch(text)
    day = None
    if match:
        try:
            day = dt.date(int(match.group(3)), int(match.group(2)), int(match.group(1)))
        except ValueError:
            raise AnswerError(f"« {text} » n'est pas une date du calendrier") from None
    else:
        day = iso_date(text)
    if day is None:
        raise AnswerError(f"« {text} » n'est pas une date JJ/MM/AAAA")
    if not EARLIEST_DATE <= day <= LATEST_DATE:
        raise AnswerError(f"date hors de la plage admise ({EARLIEST_DATE.year} à {LATEST_DATE.year})")
    return day


def _number(question: Question, said: str) -> int | float:
    compact = said.replace(" ", "").replace("\u202f", "").replace("\u00a0", "")
    if not _NUMBER.fullmatch(compact):
        raise AnswerError(f"« {said} » n'est pas un nombre")
    value: int | float = float(compact.replace(",", "."))
    if question.type == "int":
        if not float(value).is_integer():
            raise AnswerError(f"« {said} » n'est pas un nombre entier")
        value = int(value)
    elif float(value).is_integer():
        value = int(value)
    if question.minimum is not None and value < question.minimum:
        raise AnswerError(f"{number_fr(value)} est trop petit")
    if question.maximum is not None and value > question.maximum:
        raise AnswerError(f"{number_fr(value)} est trop grand")
    return value
