"""The case input: a beneficiary and a project, as of a request date (pydantic 2).

Every fact is optional: absent means unknown, never false. Types are strict ("26" is not 26,
`true` is not 1) because the rule backends must never compare across types. Unknown keys are
refused with the closest known name.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from typing import Annotated, Any, Literal, Optional

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StrictBool, StrictInt, ValidationError, create_model

# the field types, in their own module (the generated model reads them too); re-exported from here
from .case_types import (  # noqa: F401
    EARLIEST_DATE,
    LATEST_DATE,
    DateFact,
    NumberFact,
    RegionFact,
    TextFact,
    _nfc,
    iso_date,
    read_date,
)
from .errors import InputError
from .facts import BOOL, DATE, FACTS, INT, NUMBER, SECTIONS, STRING, Fact, facts_in
from .json_bounds import standard_bounds
from .source import Located


def _annotation(fact: Fact) -> Any:
    if fact.path == "region":  # a name ("Centre-Val de Loire") or an unquoted code (24) reads as the code
        return Optional[RegionFact]
    if fact.kind == DATE:
        base: Any = DateFact
    elif fact.kind == INT:
        base = StrictInt
    elif fact.kind == NUMBER:
        base = NumberFact
    elif fact.kind == BOOL:
        base = StrictBool
    elif fact.kind == STRING:
        base = TextFact
    else:
        base = Annotated[Literal[fact.choices], BeforeValidator(_nfc)]
    return Optional[base]


MAX_INT_FACT = 1_000_000_000  # no fact needs more; keeps values inside what durable-rules parses


def _field(fact: Fact) -> Any:
    kwargs: dict[str, Any] = {"default": None, "description": fact.label}
    if fact.minimum is not None:
        kwargs["ge"] = fact.minimum
    if fact.maximum is not None:
        kwargs["le"] = fact.maximum
    elif fact.kind == INT:
        kwargs["le"] = MAX_INT_FACT
    return (_annotation(fact), Field(**kwargs))


_STRICT = ConfigDict(extra="forbid", frozen=True, json_schema_extra=standard_bounds)  # fundrules/json_bounds.py


def _section_model(name: str, section: str) -> type[BaseModel]:
    fields = {short: _field(fact) for short, fact in facts_in(section).items()}
    return create_model(name, __config__=_STRICT, **fields)


def dynamic_case_model() -> type[BaseModel]:
    """The case model built from the fact table at run time: the reference the generated static
    model (fundrules/case_model.py, visible to type checkers) is checked against."""
    beneficiaire = _section_model("Beneficiaire", "beneficiaire")
    projet = _section_model("Projet", "projet")
    top = {short: _field(fact) for short, fact in facts_in("").items()}
    return create_model(
        "CaseInput",
        __config__=_STRICT,
        __doc__="Un cas : la personne, le projet de formation et le contexte de la demande.",
        beneficiaire=(beneficiaire, Field(default_factory=beneficiaire, description="la personne")),
        projet=(projet, Field(default_factory=projet, description="le projet de formation")),
        **top,
    )


from .case_model import Beneficiaire as Beneficiaire  # noqa: E402, I001 - generated from the fact table
from .case_model import CaseInput as CaseInput  # noqa: E402
from .case_model import Projet as Projet  # noqa: E402


_SECTION_PREFIX = {section: section + "." for section in SECTIONS}


def case_facts(case: BaseModel) -> dict[str, Any]:
    """Known facts of a case as a flat {path: value} mapping (absent facts left out)."""
    flat: dict[str, Any] = {}
    for name, value in case.__dict__.items():
        if name in _SECTION_PREFIX:
            prefix = _SECTION_PREFIX[name]
            for short, inner in value.__dict__.items():
                if inner is not None:
                    flat[prefix + short] = inner
        elif value is not None:
            flat[name] = value
    return flat


# --- French validation errors -------------------------------------------------------------


def _known_names(loc: tuple[Any, ...]) -> list[str]:
    section = loc[0] if len(loc) > 1 and loc[0] in SECTIONS else ""
    names = list(facts_in(section))
    if not section:
        names += list(SECTIONS)
    return names


def _french(error: Mapping[str, Any]) -> str:
    kind = error["type"]
    ctx = error.get("ctx") or {}
    loc = tuple(error["loc"])
    if kind == "extra_forbidden":
        name = str(loc[-1])
        guess = difflib.get_close_matches(name, _known_names(loc), n=1, cutoff=0.6)
        hint = f" — vouliez-vous dire {guess[0]} ?" if guess else ""
        return f"fait inconnu{hint}"
    if kind == "value_error":
        return str(ctx.get("error", error["msg"]))
    if kind in ("int_type", "int_parsing", "int_from_float"):
        return f"nombre entier attendu, reçu {error['input']!r}"
    if kind in ("bool_type", "bool_parsing"):
        return f"booléen attendu (true ou false, oui ou non), reçu {error['input']!r}"
    if kind == "literal_error":
        choices = _choices_at(loc)
        expected = ", ".join(choices) if choices else ctx.get("expected", "")
        guess = difflib.get_close_matches(str(error["input"]), choices, n=1, cutoff=0.5)
        hint = f" — vouliez-vous dire {guess[0]} ?" if guess else ""
        return f"valeur {error['input']!r} non admise ; valeurs possibles : {expected}{hint}"
    if kind in ("greater_than_equal", "greater_than"):
        return f"valeur trop petite ({error['input']!r}) : au moins {ctx.get('ge', ctx.get('gt'))} attendu"
    if kind in ("less_than_equal", "less_than"):
        return f"valeur trop grande ({error['input']!r}) : au plus {ctx.get('le', ctx.get('lt'))} attendu"
    if kind in ("model_type", "dict_type", "model_attributes_type"):
        return "un bloc de champs (clé: valeur) était attendu"
    if kind == "string_type":
        return "texte attendu"
    return f"valeur invalide ({error['msg']})"


def _choices_at(loc: tuple[Any, ...]) -> list[str]:
    path = ".".join(str(p) for p in loc if isinstance(p, str))
    fact = FACTS.get(path)
    return list(fact.choices) if fact else []


def validation_to_input_error(err: ValidationError, doc: Located | None, *, base: tuple = ()) -> InputError:
    details = []
    for e in err.errors():
        loc = tuple(e["loc"])
        field = ".".join(str(p) for p in loc if not str(p).startswith("function-"))
        line = doc.line_of(base + loc) if doc else None
        details.append(
            InputError(
                _french(e),
                file=doc.file if doc else None,
                line=line,
                field=field,
                code="unknown_fact" if e["type"] == "extra_forbidden" else None,
            )
        )
    if len(details) == 1:
        return details[0]
    first = details[0]
    return InputError(f"{len(details)} erreurs dans le cas", file=first.file, details=details)


def case_from_data(data: Any, doc: Located | None = None, *, base: tuple = ()) -> CaseInput:
    """Validate already-parsed data (a dict) into a CaseInput; errors point into `doc`."""
    if not isinstance(data, dict):
        raise InputError(
            "un cas doit être un bloc de champs (date_demande, beneficiaire, projet…)",
            file=doc.file if doc else None,
            line=doc.line_of(base) if doc else None,
        )
    try:
        case = CaseInput.model_validate(french_values(data))
    except ValidationError as err:
        raise validation_to_input_error(err, doc, base=base) from None
    from .derived import check_consistency  # local: most callers never need it at import

    try:
        check_consistency(case_facts(case))
        check_dates(case)
    except InputError as err:
        line = doc.line_of(base + tuple(err.field.split("."))) if doc and err.field else None
        raise InputError(err.reason, file=doc.file if doc else None, line=line, field=err.field) from None
    return case


YES_NO = {"oui": True, "non": False}
# The same body named the same way in every fact: France Travail is Pôle emploi's name since 2024.
ALIASES = {
    "operateur": {"france_travail": "pole_emploi"},
    "beneficiaire.operateur_cep": {"pole_emploi": "france_travail"},
}


def french_values(data: dict) -> dict:
    """The case as a counsellor may write it, read as the vocabulary's values: `oui`/`non` for a
    yes/no fact (true/false still work), `operateur: france_travail` as `pole_emploi`. Only these
    exact words of those facts: anything else is left for validation to refuse. Returns a copy."""

    def value(path: str, raw: Any) -> Any:
        fact = FACTS.get(path)
        if fact is None or not isinstance(raw, str):
            return raw
        if fact.kind == BOOL and raw in YES_NO:
            return YES_NO[raw]
        return ALIASES.get(path, {}).get(raw, raw)

    out: dict = {}
    for key, raw in data.items():
        if key in SECTIONS and isinstance(raw, dict):
            out[key] = {k: value(f"{key}.{k}", v) for k, v in raw.items()}
        else:
            out[key] = value(str(key), raw)
    return out


MAX_AGE_YEARS = 130  # the bound of beneficiaire.age in the vocabulary


def check_dates(case: CaseInput) -> None:
    """Refuse dates that cannot all be true: nothing of the person happens before their birth."""
    from .derived import whole_years_between

    birth = case.beneficiaire.date_naissance
    if birth is None:
        return
    for path, day in (
        ("date_demande", case.date_demande),
        ("beneficiaire.date_fin_contrat", case.beneficiaire.date_fin_contrat),
        ("projet.date_debut", case.projet.date_debut),
    ):
        if day is not None and day < birth:
            raise InputError(
                f"{path} ({day.isoformat()}) est antérieure à la date de naissance "
                f"({birth.isoformat()}) : l'une des deux dates est fausse",
                field=path,
            )
    if case.date_demande and whole_years_between(birth, case.date_demande) > MAX_AGE_YEARS:
        raise InputError(
            f"âge de plus de {MAX_AGE_YEARS} ans à la date de la demande", field="beneficiaire.date_naissance"
        )
