"""The evaluation returned to counsellors and applications: the JSON output contract.

Field names here are relied upon by embedding applications (see README, "Contrat JSON"). Any
change to them follows the versioning policy of `SCHEMA_VERSION` (README, "Version du contrat").
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any, Literal, Optional, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from .facts import DATE, FACTS
from .provenance import code_identity

# Version of the JSON contract (Evaluation, Plan, errors). Bumped when a field is removed, renamed
# or changes meaning or type; adding a field or an optional, off-by-default part keeps it.
SCHEMA_VERSION = 1

Status = Literal["eligible", "blocked", "a_verifier", "not_in_force"]

STATUS_FR = {
    "eligible": "éligible",
    "blocked": "bloqué",
    "a_verifier": "à vérifier",
    "not_in_force": "pas en vigueur",
}


class _Out(BaseModel):
    model_config = ConfigDict(frozen=True)


class FrozenDict(dict):  # type: ignore[type-arg]
    """A dict that cannot be changed: what an answer's mappings are (same JSON, same schema as a dict).

    Answers share parts with each other and with the Engine's cache: a mapping taken from one of them
    and changed in place would change the others. Every mutating method raises TypeError (a copy,
    `dict(mapping)`, is the caller's to change)."""

    __slots__ = ()

    def _refuse(self, *args: Any, **kwargs: Any) -> Any:
        raise TypeError("les réponses de fundrules ne se modifient pas : faites-en une copie (dict(...))")

    __setitem__ = __delitem__ = __ior__ = _refuse
    clear = pop = popitem = setdefault = update = _refuse

    def __reduce__(self) -> tuple[Any, ...]:
        return (FrozenDict, (dict(self),))  # pickled (forked workers) without calling __setitem__

    def __hash__(self) -> int:  # type: ignore[override]
        return hash(tuple(self.items()))


def _fact_values(value: Any) -> Any:
    """{fact path: value} as read back from JSON: a date fact's value is a date again, not its text."""
    return FrozenDict({path: fact_value(path, item) for path, item in value.items()})


def fact_value(path: str, value: Any) -> Any:
    """A fact's value as read back from JSON: `AAAA-MM-JJ` is a date when the fact is a date."""
    if isinstance(value, str):
        fact = FACTS.get(path)
        if fact is not None and fact.kind == DATE:
            try:
                return dt.date.fromisoformat(value)
            except ValueError:
                return value
    return value


_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def _date_or_text(value: str) -> Any:
    """A parameter's value read back from JSON: parameters hold numbers, booleans, dates and texts,
    and only a date is written `AAAA-MM-JJ` by the rulesets (a text parameter of that shape would
    read back as a date)."""
    if _ISO_DAY.fullmatch(value):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return value
    return value


FactValues = Annotated[dict[str, Any], AfterValidator(_fact_values)]


M = TypeVar("M", bound=BaseModel)


def _refuse_change(self: Any, *args: Any, **kwargs: Any) -> Any:
    raise TypeError("ensemble partagé entre réponses : faites-en une copie (set(...))")


class _FieldsSet(set):  # type: ignore[type-arg]
    """The set of fields pydantic keeps per model ("which fields were given"), shared by every answer
    `construct` builds with all of its fields: one per model class instead of one per object (a set
    of 25 names costs more than a small answer). It refuses every change; copies (pydantic's
    `model_copy`, which adds the updated fields to its copy's set) and pickles are plain sets."""

    __slots__ = ()
    add = discard = remove = pop = clear = update = _refuse_change
    difference_update = intersection_update = symmetric_difference_update = _refuse_change
    __ior__ = __iand__ = __isub__ = __ixor__ = _refuse_change

    def __copy__(self) -> set[str]:
        return set(self)

    def __deepcopy__(self, memo: Any) -> set[str]:
        return set(self)

    def __reduce__(self) -> tuple[Any, ...]:
        return (set, (list(self),))


_ALL_FIELDS: dict[type, _FieldsSet] = {}  # per model class: its fields, read-only
_set = object.__setattr__


def construct(cls: type[M], **values: Any) -> M:
    """A model built from values the engine already checked (rulesets validated at load, facts at
    input), without validation: what `model_construct` does, minus its per-field bookkeeping that
    cost more than validation itself. `values` names every field, in the order they are declared
    (the JSON follows the declaration order whatever the order given; the tests compare it)."""
    return construct_from(cls, values)


def construct_from(cls: type[M], values: dict[str, Any]) -> M:
    """`construct` from a dict the caller built for this model alone (it becomes the model's own:
    never change it afterwards), without copying it once more through keyword arguments."""
    model = cls.__new__(cls)
    _set(model, "__dict__", values)
    fields = _ALL_FIELDS.get(cls)
    if fields is None:
        fields = _ALL_FIELDS[cls] = _FieldsSet(cls.__pydantic_fields__)
    if len(values) != len(fields):  # not every field named: a set of its own
        fields = set(values)  # type: ignore[assignment]
    _set(model, "__pydantic_fields_set__", fields)
    _set(model, "__pydantic_extra__", None)
    _set(model, "__pydantic_private__", None)
    return model


class SourceRef(_Out):
    title: str = Field(description="titre de la source (texte officiel, page publique)")
    url: Optional[str] = Field(None, description="adresse de la source")
    article: Optional[str] = Field(None, description="article de loi ou de décret cité")


class Blocker(_Out):
    criterion: str = Field(description="identifiant du critère (voie.critère dans une voie)")
    route: Optional[str] = Field(None, description="voie du critère ; null pour un critère commun")
    message: str = Field(description="pourquoi ce critère bloque, en français")
    observed: FactValues = Field(description="valeurs vues des faits lus par le critère (null : inconnu)")
    required: str = Field(description="ce que le critère exige, en français")
    sources: tuple[SourceRef, ...] = Field(description="textes qui fondent le critère")
    verified: bool = Field(description="false : aucune source ne confirme ce critère (« à confirmer »)")
    unlock: Optional[str] = Field(None, description="l'accord ou le fait qui lèverait ce bloquant")


class PendingCheck(_Out):
    criterion: str = Field(description="identifiant du critère inconnu faute de faits")
    route: Optional[str] = Field(None, description="voie du critère ; null pour un critère commun")
    missing_facts: tuple[str, ...] = Field(description="faits à recueillir pour trancher ce critère")
    verified: bool = Field(description="false : aucune source ne confirme ce critère (« à confirmer »)")


class RouteResult(_Out):
    route: str = Field(description="identifiant de la voie")
    label: str = Field(description="nom de la voie, en français")
    status: Literal["eligible", "blocked", "a_verifier"] = Field(description="statut de la voie seule")
    in_scope: Optional[bool] = Field(
        None, description="la personne est-elle du public de cette voie (ses critères gate) ; null : inconnu"
    )


Outcome = Literal["holds", "fails", "unknown"]


class TraceRead(_Out):
    """A fact or parameter a criterion read, with its value and where that value comes from."""

    name: str = Field(description="chemin du fait (beneficiaire.age) ou nom du paramètre")
    kind: Literal["fact", "parameter"] = Field(
        description="fact : fait du cas ; parameter : paramètre daté de la version"
    )
    value: Any = Field(description="valeur lue ; null : fait inconnu")
    source: Optional[str] = Field(
        description="fait : « cas » (donné par le cas) ou « calculé » (fait dérivé, voir derived_facts), "
        "null si inconnu ; paramètre : titre de la source de sa valeur à cette date"
    )

    @model_validator(mode="after")
    def _dates_read_back(self) -> TraceRead:
        """Read from JSON, a date value is a date again (a date fact; a parameter whose text is a date)."""
        value = self.value
        if isinstance(value, str):
            value = fact_value(self.name, value) if self.kind == "fact" else _date_or_text(value)
            if value is not self.value:
                object.__setattr__(self, "value", value)
        return self


class TraceEntry(_Out):
    """One criterion or route gate as evaluated: the evidence behind its outcome."""

    criterion: str = Field(description="identifiant du critère (voie.critère dans une voie)")
    route: Optional[str] = Field(description="voie du critère ; null pour un critère commun")
    gate: bool = Field(description="true : porte de la voie (dit à qui la voie s'adresse)")
    blocking: bool = Field(description="false : simple note, le statut n'en dépend pas")
    outcome: Outcome = Field(description="holds (rempli), fails (non rempli) ou unknown (faits manquants)")
    condition: str = Field(description="la condition telle qu'écrite dans le fichier de règles")
    reads: tuple[TraceRead, ...] = Field(description="faits puis paramètres lus par la condition, avec leurs valeurs")
    sources: tuple[SourceRef, ...] = Field(description="textes qui fondent le critère")
    verified: bool = Field(description="false : aucune source ne confirme ce critère (« à confirmer »)")


class FunderResult(_Out):
    """One funder's answer: status, what blocks, what to collect, who decides, under which rules."""

    __slots__ = ("_text",)  # its JSON once written (`json_text`): see there

    funder: str = Field(description="identifiant du financeur (cpf, cif, aif…)")
    funder_name: str = Field(description="nom du financeur ou du dispositif, en français")
    category: Literal["droit_commun", "specifique"] = Field(
        description="droit_commun : ouvert à tous sous conditions ; specifique : réservé à un public"
    )
    kind: Literal["course", "income"] = Field(
        description="course : paie la formation ; income : rémunère la personne pendant la formation"
    )
    status: Status = Field(
        description="eligible, blocked, a_verifier (faits à recueillir ou règles à vérifier) "
        "ou not_in_force (dispositif pas en vigueur à cette date)"
    )
    ruleset_version: Optional[str] = Field(
        description="version des règles appliquée (variante/version pour un financeur à variantes) ; "
        "null si aucune version ne s'applique"
    )
    valid_from: Optional[dt.date] = Field(None, description="début de validité de la version appliquée")
    valid_to: Optional[dt.date] = Field(None, description="fin de validité de la version appliquée (null : en cours)")
    message: Optional[str] = Field(None, description="explication générale, en français")
    blockers: tuple[Blocker, ...] = Field((), description="critères non remplis qui bloquent ce financeur")
    missing_facts: tuple[str, ...] = Field((), description="faits à recueillir pour trancher (chemins de faits)")
    pending: tuple[PendingCheck, ...] = Field((), description="critères inconnus et les faits qui manquent à chacun")
    routes: tuple[RouteResult, ...] = Field((), description="voies d'accès du financeur et le statut de chacune")
    unverified_criteria: tuple[str, ...] = Field(
        (),
        description="critères non confirmés par une source sur lesquels repose la réponse ; pour un "
        "financeur éligible, seulement ceux de la décision (critères communs et une voie remplie)",
    )
    notices: tuple[str, ...] = Field((), description="notes qui ne changent pas le statut (reste à charge…)")
    illustrative: bool = Field(False, description="true : règles illustratives, qu'aucune source publique ne confirme")
    next_steps: tuple[str, ...] = Field((), description="démarches suivantes, en français, dans l'ordre")
    decided_by: str = Field(description="qui décide du financement")
    operator_can_mobilise: Optional[bool] = Field(
        None, description="l'opérateur CEP du cas peut-il mobiliser ce financeur (null : opérateur inconnu)"
    )
    ruleset_file: Optional[str] = Field(
        None, description="fichier de la version appliquée, relatif au dossier des règles (cpf/2019-11-21.yaml)"
    )
    ruleset_digest: Optional[str] = Field(None, description="« sha256: » suivi de l'empreinte de ce fichier")
    trace: Optional[tuple[TraceEntry, ...]] = Field(
        None,
        exclude_if=lambda value: value is None,  # without explain, the JSON is what it was before traces
        description="avec explain seulement : chaque critère et porte de voie évalué, son résultat et ce "
        "qu'il a lu ; absent sinon",
    )
    reviewed_on: Optional[dt.date] = Field(
        None, description="dernier jour où ces règles ont été revues sur leurs sources"
    )
    in_scope: Optional[bool] = Field(
        None,
        description="la personne est-elle du public du dispositif (critères scope "
        "du financeur, voies) ; false : « hors public » ; null : inconnu",
    )
    scope_label: Optional[str] = Field(None, description="le public du dispositif, en quelques mots")

    def json_text(self) -> str:
        """This answer's JSON as pydantic writes it (the same text as inside an Evaluation's JSON),
        written on first use and kept on the object. Why: the Engine's cache gives the same immutable
        answer to every case with the same rules, outcomes and values read (engine/core.py), so
        its JSON is written once, not once per case. Kept in a slot, not a field: `model_copy`,
        `copy`, pickling and validation make objects without it, which write their own. Text, not
        bytes: what `model_dump_json` returns, decoded once rather than at every answer."""
        try:
            return _TEXT_SLOT.__get__(self)  # type: ignore[no-any-return]  # (not through pydantic's __getattr__)
        except AttributeError:
            text = FunderResult.__pydantic_serializer__.to_json(self).decode()
            _TEXT_SLOT.__set__(self, text)
            return text

    def scoped_blockers(self) -> list[Blocker]:
        """The blockers that matter for this person: none when out of scope, and never the gates of
        routes that are not for this person."""
        if self.in_scope is False:
            return []
        outside = {r.route for r in self.routes if r.in_scope is False}
        return [b for b in self.blockers if b.route not in outside]


_TEXT_SLOT = FunderResult.__dict__["_text"]  # the slot's own descriptor


class DerivedValue(_Out):
    fact: str = Field(description="chemin du fait calculé")
    value: Any = Field(description="valeur calculée")
    derived_from: tuple[str, ...] = Field(description="faits du cas dont elle est calculée")
    explanation: str = Field(description="le calcul, en français")

    @model_validator(mode="after")
    def _dates_read_back(self) -> DerivedValue:
        value = fact_value(self.fact, self.value)
        if value is not self.value:
            object.__setattr__(self, "value", value)
        return self


class Provenance(_Out):
    """What produced an answer, so that a stored answer can be matched to its rules months later."""

    fundrules_version: str = Field(description="version de fundrules qui a calculé la réponse")
    schema_version: int = Field(description="version du contrat JSON (voir README, « Version du contrat »)")
    backend: Literal["durable", "python"] = Field(
        description="moteur qui a réellement évalué (python si durable-rules ne s'importe pas)"
    )
    rulesets_digest: str = Field(
        description="« sha256: » suivi de l'empreinte des fichiers de règles utilisés (chemins relatifs "
        "et contenus, dans l'ordre des chemins)"
    )
    code_digest: str = Field(
        default_factory=code_identity,
        description="« sha256: » suivi de l'empreinte du code Python de fundrules qui a calculé la réponse "
        "(deux copies de la même version peuvent répondre différemment)",
    )


class Evaluation(_Out):
    """The answer for one case on one date: one result per funder, sorted by funder id."""

    as_of: dt.date = Field(description="date dont les règles ont été appliquées")
    date_demande: Optional[dt.date] = Field(description="date de la demande donnée par le cas")
    derived_facts: tuple[DerivedValue, ...] = Field((), description="faits calculés à partir du cas")
    results: tuple[FunderResult, ...] = Field(description="un résultat par financeur, dans l'ordre des identifiants")
    provenance: Provenance = Field(description="ce qui a produit cette réponse")
    warnings: tuple[str, ...] = Field(
        (), description="règles revues avant la date évaluée ou revue échue : à revérifier"
    )

    def model_dump_json(self, **options: Any) -> str:
        """pydantic's `model_dump_json`, exactly; without options, the same text written from the
        results' kept JSON (`FunderResult.json_text`) rather than serialising every result again:
        the answer without its results written by pydantic, and the results' JSON put in their
        place. The place is found from the end: what follows the results (provenance, warnings)
        holds only fixed keys and JSON strings, in which a quote is escaped, so it cannot contain
        the marker. tests/test_answer_json.py compares both ways over the case library and
        generated cases."""
        if options or not all(type(r) is FunderResult for r in self.results):  # built by hand: pydantic's
            return super().model_dump_json(**options)
        empty = construct_from(Evaluation, dict(self.__dict__, results=()))
        shell = Evaluation.__pydantic_serializer__.to_json(empty).decode()
        at = shell.rfind(_EMPTY_RESULTS) + _RESULTS_OPEN
        return "".join((shell[:at], ",".join([r.json_text() for r in self.results]), shell[at:]))

    def json_bytes(self) -> bytes:
        """`model_dump_json()` encoded: the bytes an HTTP answer sends."""
        return self.model_dump_json().encode()

    def result(self, funder: str) -> FunderResult:
        """The result of one funder; KeyError when the catalog has no such funder."""
        for r in self.results:
            if r.funder == funder:
                return r
        raise KeyError(funder)


_EMPTY_RESULTS = '"results":[],"provenance":{'
_RESULTS_OPEN = len('"results":[')
