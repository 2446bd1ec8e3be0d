"""Writes fundrules/case_model.py, the static case model, from the fact table (fundrules/facts.py).

The model used to be built at import time with pydantic's create_model, which type checkers cannot
see. It is now generated code, committed; tests/test_contract.py checks that it is exactly what
this module renders from the current fact table. After editing the fact table, run:

    python -m fundrules.case_codegen
"""

from __future__ import annotations

import sys
from pathlib import Path

from .facts import BOOL, DATE, INT, NUMBER, STRING, Fact, facts_in

TARGET = Path(__file__).with_name("case_model.py")
MAX_INT_FACT = 1_000_000_000  # same bound as fundrules.case.MAX_INT_FACT (checked by the tests)

HEADER = '''"""The case model (beneficiary, project, context): GENERATED from fundrules/facts.py by
`python -m fundrules.case_codegen`; do not edit by hand (tests check it matches the fact table).

No `from __future__ import annotations` here: the annotations are built when the classes are, from
the compiled module, instead of each being a string that pydantic compiles and evaluates at import
(about a hundred of them, on every cold start)."""

from typing import Annotated, Literal, Optional

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StrictBool, StrictInt

from .case_types import DateFact, NumberFact, RegionFact, TextFact, _nfc
from .json_bounds import standard_bounds
'''


def _annotation(fact: Fact) -> str:
    if fact.path == "region":  # a name ("Centre-Val de Loire") or an unquoted code (24) reads as the code
        return "Optional[RegionFact]"
    if fact.kind == DATE:
        return "Optional[DateFact]"
    if fact.kind == INT:
        return "Optional[StrictInt]"
    if fact.kind == NUMBER:
        return "Optional[NumberFact]"
    if fact.kind == BOOL:
        return "Optional[StrictBool]"
    if fact.kind == STRING:
        return "Optional[TextFact]"
    choices = ", ".join(repr(c) for c in fact.choices)
    return f"Optional[Annotated[Literal[{choices}], BeforeValidator(_nfc)]]"


def _number(value: float) -> str:
    return repr(int(value)) if float(value).is_integer() else repr(value)


def _field(fact: Fact) -> str:
    args = ["default=None", f"description={fact.label!r}"]  # `default=`: read by type checkers without a plugin
    if fact.minimum is not None:
        args.append(f"ge={_number(fact.minimum)}")
    if fact.maximum is not None:
        args.append(f"le={_number(fact.maximum)}")
    elif fact.kind == INT:
        args.append(f"le={MAX_INT_FACT}")
    return f"    {fact.name}: {_annotation(fact)} = Field({', '.join(args)})"


def _model(name: str, doc: str, facts: dict[str, Fact], extra: tuple[str, ...] = (), nested: bool = False) -> list[str]:
    # A section (nested in CaseInput) defers its own validator: CaseInput's holds the section's schema
    # whole, so a cold start validating a case never builds the section's alone (built on first use).
    deferred = ", defer_build=True" if nested else ""
    config = f'    model_config = ConfigDict(extra="forbid", frozen=True, json_schema_extra=standard_bounds{deferred})'
    lines = ["", "", f"class {name}(BaseModel):", f'    """{doc}"""', "", config, ""]
    lines += extra
    lines += [_field(fact) for fact in facts.values()]
    return lines


def render() -> str:
    """The text of case_model.py for the current fact table."""
    lines = [HEADER.rstrip("\n")]
    lines += _model("Beneficiaire", "La personne.", facts_in("beneficiaire"), nested=True)
    lines += _model("Projet", "Le projet de formation.", facts_in("projet"), nested=True)
    lines += _model(
        "CaseInput",
        "Un cas : la personne, le projet de formation et le contexte de la demande.",
        facts_in(""),
        (
            '    beneficiaire: Beneficiaire = Field(default_factory=Beneficiaire, description="la personne")',
            '    projet: Projet = Field(default_factory=Projet, description="le projet de formation")',
        ),
    )
    return "\n".join(lines) + "\n"


def main() -> int:
    text = render()
    TARGET.write_text(text, encoding="utf-8")
    print(f"{TARGET} écrit ({len(text.splitlines())} lignes).", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
