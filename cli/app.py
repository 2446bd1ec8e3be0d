"""`fundrules` commands. Every rule of the domain lives in the library; this module only parses
arguments, calls it, prints, and turns errors into one French message and an exit code."""

from __future__ import annotations

import datetime as dt
import functools
import gc
import json
import os
import sys
from enum import Enum
from pathlib import Path
from typing import Optional

import typer

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
    help="Quels financeurs peuvent payer un projet de formation, et ce qui bloque les autres.",
)

try:  # help screens in French (layout words too), whether run as a package or as a script
    from .help_fr import install as _french_help
except ImportError:  # pragma: no cover
    from help_fr import install as _french_help
_french_help()


def _print_version(value: bool) -> None:
    if value:
        from fundrules import __version__
        from fundrules.results import SCHEMA_VERSION

        typer.echo(f"fundrules {__version__} (contrat JSON version {SCHEMA_VERSION})")
        raise typer.Exit(0)


@app.callback()
def _options(
    version: bool = typer.Option(
        False, "--version", callback=_print_version, is_eager=True, help="Afficher la version et quitter."
    ),
) -> None:
    """Quels financeurs peuvent payer un projet de formation, et ce qui bloque les autres."""


EXIT_INPUT = 2
EXIT_BACKEND = 3
EXIT_INTERNAL = 70
EXIT_INTERRUPTED = 130  # 128 + SIGINT, as shells report it (cli/entry.py, before this module is imported)


class Format(str, Enum):
    table = "table"
    json = "json"


class ReportFormat(str, Enum):
    text = "text"
    json = "json"
    markdown = "markdown"


class Backend(str, Enum):
    durable = "durable"
    python = "python"


def _echo(text: str, **kwargs) -> None:
    """Every text the CLI prints: control sequences from a case or a file name are shown escaped."""
    from fundrules.escape import escape_terminal

    typer.echo(escape_terminal(text), **kwargs)


def _echo_json(text: str) -> None:
    """JSON output: the same values, with control and bidi characters written as \\u escapes."""
    from fundrules.escape import escape_json

    typer.echo(escape_json(text))


def _fail(message: str, code: int) -> None:
    _echo(f"Erreur : {message}", err=True)
    raise typer.Exit(code)


def _fail_json(payload: dict, code: int) -> None:
    """With --format json an error is JSON on standard output (README, "Codes d'erreur")."""
    _echo_json(json.dumps(payload, ensure_ascii=False, indent=2))
    raise typer.Exit(code)


def _wants_json(kwargs: dict) -> bool:
    value = kwargs.get("format")
    return getattr(value, "value", value) == "json"


def handles_errors(command):
    """Every failure ends with one French message on stderr and an exit code, no traceback; with
    --format json, the message is `FundrulesError.payload()` on standard output instead."""

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        from fundrules.errors import BackendError, EvaluationError, InputError

        as_json = _wants_json(kwargs)
        try:
            return command(*args, **kwargs)
        except (InputError, EvaluationError) as error:
            if as_json:
                _fail_json(error.payload(), EXIT_INPUT)
            _fail(str(error), EXIT_INPUT)
        except BackendError as error:
            if as_json:
                _fail_json(error.payload(), EXIT_BACKEND)
            _fail(str(error), EXIT_BACKEND)
        except (typer.Exit, typer.Abort, KeyboardInterrupt):
            raise
        except Exception as error:  # a bug: say so plainly, keep the traceback for FUNDRULES_DEBUG
            if os.environ.get("FUNDRULES_DEBUG"):
                raise
            message = (
                f"erreur interne ({type(error).__name__}: {error}). Relancez avec FUNDRULES_DEBUG=1 "
                "et signalez-la avec le fichier en cause."
            )
            if as_json:
                _fail_json(
                    {
                        "error": {
                            "code": "internal_error",
                            "message": message,
                            "file": None,
                            "line": None,
                            "field": None,
                        }
                    },
                    EXIT_INTERNAL,
                )
            _fail(message, EXIT_INTERNAL)

    return wrapper


def parse_date(text: Optional[str], option: str) -> Optional[dt.date]:
    if text is None:
        return None
    from fundrules.case import read_date
    from fundrules.errors import InputError

    day = read_date(text)
    if day is None:
        raise InputError(f"date attendue au format AAAA-MM-JJ ou JJ/MM/AAAA, reçu « {text} »", field=option)
    return day


def _parse_stdin(raw: bytes):
    """Standard input read as JSON when it is JSON (strictly, as a .json file and the HTTP service read
    it: one path for the same document), else as YAML."""
    from fundrules.errors import InputError
    from fundrules.source import parse_bytes

    name = "<entrée standard>"
    try:
        return parse_bytes(raw, name, json_syntax=True)
    except InputError as err:
        if err.code != "json_syntax":
            raise
    return parse_bytes(raw, name)


def _load_case(path: str):
    from fundrules.case import case_from_data
    from fundrules.source import read_stream

    if path == "-":
        doc = _parse_stdin(read_stream(sys.stdin.buffer))
        return case_from_data(doc.data, doc)
    from fundrules.bundled import bundled_case
    from fundrules.case_file import load_case

    if not os.path.lexists(path) and (bundled := bundled_case(path)) is not None:
        # cases/examples/… as the README names it, from an installed package outside a checkout
        _echo(f"Cas livré avec fundrules : {bundled}", err=True)
        path = str(bundled)
    return load_case(path)  # a case file, or a library case: its facts


AS_OF = typer.Option(
    None,
    "--as-of",
    metavar="DATE",
    help="Évaluer avec les règles de cette date (AAAA-MM-JJ) ; par défaut la date_demande du cas.",
)
RULESETS = typer.Option(None, "--rulesets", metavar="DOSSIER", help="Dossier des règles (par défaut : celles livrées).")
ENGINE = typer.Option(
    Backend.durable, "--engine", metavar="MOTEUR", help="Moteur : durable (durable-rules) ou python (référence)."
)


DETAIL = typer.Option(
    False, "--detail", help="Tout le détail (chaque financeur, chaque étape, chaque source) après la synthèse."
)
CASE_ARG = typer.Argument(
    ..., metavar="CAS", help="Fichier du cas (YAML ou JSON, ou cas de la bibliothèque), ou - pour l'entrée standard."
)
FORMAT = typer.Option(Format.table, "--format", metavar="FORMAT", help="table (lecture) ou json (applications).")
EXPLAIN = typer.Option(
    False,
    "--explain",
    help="Montrer chaque critère évalué : rempli, non rempli ou inconnu, "
    "et les faits et paramètres lus (champ trace en JSON).",
)


def _run_on_case(
    case: str,
    as_of: Optional[str],
    engine: Backend,
    rulesets: Optional[Path],
    action: str,
    loaded: Optional[list] = None,
    **options,
):
    """Load the case and run `evaluate` or `plan` on it; a case that cannot be dated names its file.
    `loaded`, when given, receives the case read (the text output names its region)."""
    from fundrules import Engine
    from fundrules.errors import EvaluationError

    day = parse_date(as_of, "--as-of")
    case_input = _load_case(case)
    if loaded is not None:
        loaded.append(case_input)
    runner = Engine(rulesets, backend=engine.value)
    _resume_gc(freeze=True)
    try:
        if action == "synthesis":
            from fundrules.report.synthesis import synthesis_of

            return synthesis_of(runner, case_input, day, **options)
        return getattr(runner, action)(case_input, as_of=day, **options)
    except EvaluationError as error:
        hint = " Sur la ligne de commande : --as-of AAAA-MM-JJ." if error.field == "date_demande" else ""
        raise EvaluationError(
            f"{case} : {error}{hint}", field=error.field, file=None if case == "-" else case
        ) from None


def _triage(case_input) -> Optional[str]:
    from fundrules.triage import triage_line

    return triage_line(case_input)


@app.command()
@handles_errors
def check(
    case: str = CASE_ARG,
    as_of: Optional[str] = AS_OF,
    format: Format = FORMAT,
    engine: Backend = ENGINE,
    rulesets: Optional[Path] = RULESETS,
    explain: bool = EXPLAIN,
    detail: bool = DETAIL,
) -> None:
    """Évaluer un cas : d'abord la synthèse (qui peut payer, ce qui bloque, de quoi vivre, quoi faire,
    quoi recueillir) ; --detail pour chaque financeur, bloqué, à vérifier ou pas en vigueur.

    \b
    Exemples :
      fundrules check cases/examples/ancien-cdd-2018.yaml
      fundrules check cas.yaml --detail
      fundrules check cas.yaml --as-of 2019-06-01 --format json
      fundrules check cas.yaml --explain
    """
    from fundrules.report import render_text

    loaded: list = []
    if format == Format.table and not detail and not explain:
        from fundrules.report.synthesis import render_synthesis

        evaluation, result, amounts = _run_on_case(case, as_of, engine, rulesets, "synthesis", loaded)
        region, note = getattr(loaded[0], "region", None), _triage(loaded[0])
        _echo(render_synthesis(evaluation, result, amounts, source=case, region=region, note=note), nl=False)
        return
    evaluation = _run_on_case(case, as_of, engine, rulesets, "evaluate", loaded, explain=explain)
    if format == Format.json:
        _echo_json(evaluation.model_dump_json(indent=2))
    else:
        region, note = getattr(loaded[0], "region", None), _triage(loaded[0])
        _echo(render_text(evaluation, source=case, region=region, note=note), nl=False)


@app.command()
@handles_errors
def plan(
    case: str = CASE_ARG,
    as_of: Optional[str] = AS_OF,
    format: Format = FORMAT,
    engine: Backend = ENGINE,
    rulesets: Optional[Path] = RULESETS,
    detail: bool = DETAIL,
) -> None:
    """Proposer des plans de financement : financeurs dans l'ordre, montants, reste à charge, impasse.

    \b
    Exemples :
      fundrules plan cases/examples/salarie-cdi-2019.yaml
      fundrules plan cas.yaml --detail
      fundrules plan cas.yaml --format json
    """
    from fundrules.report.plan import render_plan_text

    if format == Format.table and not detail:
        from fundrules.report.synthesis import render_synthesis

        loaded: list = []
        evaluation, result, amounts = _run_on_case(case, as_of, engine, rulesets, "synthesis", loaded)
        region, note = getattr(loaded[0], "region", None), _triage(loaded[0])
        text = render_synthesis(evaluation, result, amounts, source=case, region=region, plans_first=True, note=note)
        _echo(text, nl=False)
        return
    result = _run_on_case(case, as_of, engine, rulesets, "plan")
    if format == Format.json:
        _echo_json(result.model_dump_json(indent=2))
    else:
        _echo(render_plan_text(result, source=case), nl=False)


class SchemaOutput(str, Enum):
    case = "case"
    evaluation = "evaluation"
    plan = "plan"


@app.command()
@handles_errors
def schema(
    output: SchemaOutput = typer.Option(
        SchemaOutput.case,
        "--output",
        help="case (le cas en entrée), evaluation (réponse de check) ou plan (réponse de plan).",
    ),
) -> None:
    """Afficher un schéma JSON : le cas (faits admis, type et sens), l'évaluation ou le plan.

    Pour écrire un cas sans lire le schéma : fundrules case template.

    \b
    Exemples :
      fundrules schema > schema-cas.json
      fundrules schema --output evaluation
    """
    from fundrules.schemas import json_schema

    typer.echo(json.dumps(json_schema(output.value), indent=2, ensure_ascii=False))


@app.command()
@handles_errors
def replay(
    paths: list[str] = typer.Argument(None, metavar="CHEMIN", help="Cas ou dossiers de cas (par défaut : cases/)."),
    as_of: Optional[str] = typer.Option(
        None, "--as-of", metavar="DATE", help="Rejouer aux règles de cette date et montrer ce qui change."
    ),
    format: ReportFormat = typer.Option(
        ReportFormat.text, "--format", metavar="FORMAT", help="text (lecture), json ou markdown."
    ),
    jobs: int = typer.Option(1, "--jobs", min=1, max=64, metavar="N", help="Processus en parallèle (1 à 64)."),
    engine: Backend = ENGINE,
    rulesets: Optional[Path] = RULESETS,
) -> None:
    """Réévaluer les cas de la bibliothèque (écarts à l'attendu, ou changements à une autre date).

    \b
    Exemples :
      fundrules replay cases/
      fundrules replay cases/etude-territorialisee --as-of 2019-06-01
    """
    from fundrules import Engine
    from fundrules.errors import BackendError, EvaluationError, InputError
    from fundrules.escape import escape_json
    from fundrules.library import CaseFiles, iter_replays
    from fundrules.report.replay import ReplayJson, ReplayText

    day = parse_date(as_of, "--as-of")
    cases = CaseFiles([Path(p) for p in (paths or ["cases"])])  # each read when its turn comes
    runner = Engine(rulesets, backend=engine.value)
    report: ReplayJson | ReplayText
    if format == ReportFormat.json:
        report = ReplayJson(len(cases), day, provenance=runner.provenance)

        def write(text: str) -> None:
            typer.echo(escape_json(text), nl=False)  # as _echo_json, piece by piece
    else:
        from fundrules.french import short_name
        from fundrules.report.meeting import criterion_labels

        names = {fid: short_name(f.name) for fid, f in runner.catalog.funders.items()}
        labels = criterion_labels(runner.catalog)
        report = ReplayText(day, markdown=format == ReportFormat.markdown, names=names, labels=labels)

        def write(text: str) -> None:
            _echo(text, nl=False)

    replays = iter_replays(runner, cases, day, jobs=jobs)
    write(report.start())
    try:
        if sys.stderr.isatty() and len(cases) > 20:
            with typer.progressbar(length=len(cases), label="Rejeu", file=sys.stderr) as bar:
                for replay in replays:
                    write(report.add(replay))
                    bar.update(1)
        else:
            for replay in replays:
                write(report.add(replay))
    except (InputError, EvaluationError, BackendError) as error:
        if not isinstance(report, ReplayJson):
            raise  # nothing written yet: the usual message
        write(report.fail(error.payload()))  # the JSON begun on standard output ends with the error
        raise typer.Exit(EXIT_BACKEND if isinstance(error, BackendError) else EXIT_INPUT) from None
    write(report.end() + ("\n" if format == ReportFormat.json else ""))
    if day is None and report.mismatched:
        raise typer.Exit(1)


case_app = typer.Typer(
    no_args_is_help=True, rich_markup_mode=None, help="La bibliothèque de cas des réunions de niveau 3."
)
app.add_typer(case_app, name="case")


@case_app.command("new")
@handles_errors
def case_new(
    source: Path = typer.Option(..., "--from", metavar="FICHIER", help="Le cas vérifié (fichier YAML ou JSON)."),
    meeting: str = typer.Option(
        ...,
        "--meeting",
        metavar="RÉGION/TRIMESTRE",
        help="RÉGION/TRIMESTRE, par exemple etude-territorialisee/2018-T2.",
    ),
    date: Optional[str] = typer.Option(
        None, "--date", metavar="DATE", help="Date de la réunion (par défaut : la demande, dans le trimestre)."
    ),
    problem: Optional[str] = typer.Option(
        None, "--problem", metavar="TEXTE", help="Le problème dans les mots du conseiller."
    ),
    name: Optional[str] = typer.Option(
        None, "--name", metavar="NOM", help="Nom du fichier (par défaut : celui du cas)."
    ),
    cases_dir: Path = typer.Option(Path("cases"), "--cases", metavar="DOSSIER", help="Dossier de la bibliothèque."),
    rulesets: Optional[Path] = RULESETS,
) -> None:
    """Classer un cas vérifié dans la bibliothèque, avec l'évaluation actuelle comme attendu à confirmer.

    \b
    Exemple :
      fundrules case new --from cas.yaml --meeting 24/2019-T2
    """
    from fundrules import Engine
    from fundrules.errors import InputError
    from fundrules.library.new import new_case

    try:
        path = new_case(Engine(rulesets), source, meeting, cases_dir, parse_date(date, "--date"), problem, name)
    except InputError as error:  # the library names its parameters; say which option they come from
        options = {
            "meeting": "--meeting",
            "meeting_date": "--date",
            "name": "--name",
            "problem": "--problem",
            "cases": "--cases",
        }
        if error.field not in options:
            raise
        reason = error.reason.replace(f"({error.field})", f"({options[error.field]})")
        if reason.startswith(error.field + " "):
            reason = options[error.field] + reason[len(error.field) :]
        raise InputError(
            reason, file=error.file, line=error.line, field=options[error.field], code=error.code
        ) from None
    _echo(f"Cas classé : {path} (attendu pré-rempli, à confirmer d'après les sources).")


@case_app.command("lint")
@handles_errors
def case_lint(
    paths: list[str] = typer.Argument(None, metavar="CHEMIN", help="Cas ou dossiers (par défaut : cases/)."),
    rulesets: Optional[Path] = RULESETS,
) -> None:
    """Vérifier les cas : aucune donnée personnelle (n° de sécurité sociale, e-mail, téléphone, adresse),
    champs valides, décision de la réunion (decision:) cohérente, financeurs connus.

    \b
    Exemple :
      fundrules case lint cases/
    """
    from fundrules.errors import InputError
    from fundrules.library import find_case_files, lint_privacy, load_library_case
    from fundrules.library.decisions import lint_decision

    files = find_case_files([Path(p) for p in (paths or ["cases"])])
    findings = [f for file in files for f in lint_privacy(file)]
    for finding in findings:
        _echo(finding.render(), err=True)
    invalid = 0
    if not findings:  # a file with personal data is refused by the reader too: said once, above
        catalog = None
        for file in files:
            try:
                case = load_library_case(file)
            except InputError as error:
                _echo(str(error), err=True)
                invalid += 1
                continue
            if case.decision is not None:
                catalog = catalog or _catalog(rulesets)
                for line, message in lint_decision(file, catalog):
                    _echo(f"{file}, ligne {line} : {message}", err=True)
                    invalid += 1
    if findings:
        _echo(f"Erreur : {len(findings)} donnée(s) personnelle(s) à retirer.", err=True)
        raise typer.Exit(1)
    if invalid:
        _echo(f"Erreur : {invalid} problème(s) dans les cas.", err=True)
        raise typer.Exit(1)
    typer.echo(f"{len(files)} cas valides, sans donnée personnelle détectée.")


@case_app.command("template")
@handles_errors
def case_template(
    path: Optional[Path] = typer.Argument(
        None, metavar="CHEMIN", help="Fichier à créer (il ne doit pas exister) ; par défaut, la sortie standard."
    ),
) -> None:
    """Écrire un cas à remplir : chaque fait commenté en français (sens, type, valeurs admises).

    \b
    Exemples :
      fundrules case template > mon-cas.yaml
      fundrules case template mon-cas.yaml
    """
    from fundrules.errors import InputError
    from fundrules.report.template import case_template as template

    text = template()
    if path is None:
        typer.echo(text, nl=False)
        return
    try:
        with open(path, "x", encoding="utf-8") as out:
            out.write(text)
    except FileExistsError:
        raise InputError(
            "le fichier existe déjà : choisissez un autre nom (rien n'a été écrit)", file=str(path)
        ) from None
    except OSError as err:
        raise InputError(f"impossible d'écrire le fichier ({err.strerror})", file=str(path)) from None
    typer.echo(f"Modèle de cas écrit : {path} (remplacez chaque ~ par la valeur connue).")


meeting_app = typer.Typer(
    no_args_is_help=True, rich_markup_mode=None, help="Préparer la réunion trimestrielle de niveau 3."
)
app.add_typer(meeting_app, name="meeting")


@meeting_app.command("prepare")
@handles_errors
def meeting_prepare(
    region: str = typer.Option(..., "--region", metavar="RÉGION", help="Région de la réunion (dossier de cases/)."),
    quarter: str = typer.Option(..., "--quarter", metavar="TRIMESTRE", help="Trimestre, par exemple 2018-T2."),
    out: Path = typer.Option(Path("."), "--out", metavar="DOSSIER", help="Dossier où écrire le dossier de séance."),
    cases_dir: Path = typer.Option(
        Path("cases"),
        "--cases",
        metavar="DOSSIER",
        help="Dossier de la bibliothèque (par défaut : cases/ du dossier courant) ; tout dossier de cas convient.",
    ),
    engine: Backend = ENGINE,
    rulesets: Optional[Path] = RULESETS,
) -> None:
    """Écrire le dossier de séance (Markdown et page HTML autonome) : ordre du jour, synthèse, fiches.

    \b
    Exemples :
      fundrules meeting prepare --region 24 --quarter 2019-T2 --out reunion/
      fundrules meeting prepare --region 24 --quarter 2019-T2 --cases ~/mes-cas/
    """
    from fundrules import Engine
    from fundrules.errors import InputError
    from fundrules.library.names import check_quarter, check_slug, check_target, ensure_folder, write_file
    from fundrules.report.meeting import prepare_meeting, render_html, render_markdown

    check_slug(region, "--region")
    check_quarter(quarter, "--quarter")
    try:
        pack = prepare_meeting(Engine(rulesets, backend=engine.value), cases_dir, region, quarter)
    except InputError as error:  # the library names its parameters; say which option they come from
        if error.field == "cases":
            reason = error.reason.replace(
                "à cet endroit ;", "à cet endroit : indiquez son dossier avec --cases DOSSIER ;", 1
            )
            raise InputError(reason, file=error.file, field="--cases", code=error.code) from None
        if error.field == "region":
            raise InputError(error.reason, file=error.file, field="--region", code=error.code) from None
        raise
    ensure_folder(out, "--out")
    stem = out / f"reunion-{region}-{quarter}"
    for target in (stem.with_suffix(".md"), stem.with_suffix(".html")):
        check_target(target, replace=True)  # both checked before either is written
    write_file(stem.with_suffix(".md"), render_markdown(pack), replace=True)
    write_file(stem.with_suffix(".html"), render_html(pack), replace=True)
    _echo(f"Dossier de séance : {stem}.md et {stem}.html ({len(pack.agenda)} cas, bibliothèque : {cases_dir}).")


@meeting_app.command("record")
@handles_errors
def meeting_record(
    case: Path = typer.Argument(..., metavar="CAS", help="Le fichier du cas dans la bibliothèque."),
    decided: Optional[str] = typer.Option(None, "--decided", metavar="TEXTE", help="Ce que la réunion a décidé."),
    by: Optional[str] = typer.Option(
        None, "--by", metavar="QUI", help="Qui décide ou porte la suite (un organisme, jamais un nom de personne)."
    ),
    funders: list[str] = typer.Option(
        [], "--funder", metavar="FINANCEUR", help="Financeur sollicité par la décision (répétable : cpf, prf…)."
    ),
    date: Optional[str] = typer.Option(
        None, "--date", metavar="DATE", help="Date de la décision (par défaut : celle de la réunion)."
    ),
    result: Optional[str] = typer.Option(
        None, "--result", metavar="TEXTE", help="Le résultat, connu plus tard (seul : l'ajoute à la décision)."
    ),
    replace: bool = typer.Option(False, "--replace", help="Remplacer la décision ou le résultat enregistré."),
    rulesets: Optional[Path] = RULESETS,
) -> None:
    """Enregistrer dans le cas la décision de la réunion (decision:), relue ensuite par case lint,
    replay et les dossiers de séance suivants.

    \b
    Exemples :
      fundrules meeting record cas.yaml --decided "Demander l'abondement"
        --by "France Travail" --funder cpf
      fundrules meeting record cas.yaml --result "Formation financée en 2019"
    """
    import re

    from fundrules.errors import InputError
    from fundrules.library.decisions import record_decision

    options = {
        "decided": "--decided",
        "by": "--by",
        "funders": "--funder",
        "result": "--result",
        "replace": "--replace",
    }
    try:
        checked = record_decision(
            case,
            _catalog(rulesets),
            date=parse_date(date, "--date"),
            decided=decided,
            by=by,
            funders=funders,
            result=result,
            replace=replace,
        )
    except InputError as error:  # the library names its parameters; say which option they come from
        if error.field not in options:
            raise
        reason = error.reason
        if error.reason.startswith("manque : "):
            reason = reason.replace("manque :", "option manquante :", 1)
        reason = re.sub(r"(?<![\w-])(decided|by|result|replace)(?![\w-])", lambda m: options[m.group(1)], reason)
        raise InputError(
            reason, file=error.file, line=error.line, field=options[error.field], code=error.code
        ) from None
    assert checked.decision is not None
    _echo(f"Décision enregistrée dans {case} : {checked.decision.decided} ({checked.decision.by}).")


rulesets_app = typer.Typer(
    no_args_is_help=True, rich_markup_mode=None, help="Lire, comparer et vérifier les règles des financeurs."
)
app.add_typer(rulesets_app, name="rulesets")


def _catalog(rulesets: Optional[Path]):
    from fundrules import load_catalog

    return load_catalog(rulesets)


def _funder(catalog, funder: str) -> str:
    import difflib

    from fundrules.errors import InputError

    if funder not in catalog.funders:
        guess = difflib.get_close_matches(funder, list(catalog.funders), n=1)
        hint = f" — vouliez-vous dire {guess[0]} ?" if guess else ""
        raise InputError(
            f"financeur inconnu « {funder} » ; connus : {', '.join(sorted(catalog.funders))}{hint}", field="FINANCEUR"
        )
    return funder


@rulesets_app.command("list")
@handles_errors
def rulesets_list(
    as_of: Optional[str] = typer.Option(
        None, "--as-of", metavar="DATE", help="Seulement les versions en vigueur à cette date."
    ),
    rulesets: Optional[Path] = RULESETS,
) -> None:
    """Financeurs, versions (en vigueur à une date) et nombre de sources.

    \b
    Exemples :
      fundrules rulesets list
      fundrules rulesets list --as-of 2018-06-01
    """
    from fundrules.report.layout import fit_text
    from fundrules.rulesets.describe import list_rulesets

    _echo(fit_text(list_rulesets(_catalog(rulesets), parse_date(as_of, "--as-of"))), nl=False)


@rulesets_app.command("show")
@handles_errors
def rulesets_show(
    funder: str = typer.Argument(..., metavar="FINANCEUR", help="Identifiant du financeur (cpf, cif, …)."),
    as_of: Optional[str] = typer.Option(None, "--as-of", metavar="DATE", help="Date (par défaut : aujourd'hui)."),
    rulesets: Optional[Path] = RULESETS,
) -> None:
    """Les critères d'un financeur en vigueur à une date, en français.

    \b
    Exemple :
      fundrules rulesets show cif --as-of 2018-06-01
    """
    from fundrules.rulesets.describe import show_ruleset

    catalog = _catalog(rulesets)
    day = parse_date(as_of, "--as-of") or dt.date.today()
    from fundrules.report.layout import fit_text

    _echo(fit_text(show_ruleset(catalog, _funder(catalog, funder), day)), nl=False)


@rulesets_app.command("diff")
@handles_errors
def rulesets_diff(
    funder: str = typer.Argument(..., metavar="FINANCEUR", help="Identifiant du financeur."),
    date1: str = typer.Argument(..., metavar="DATE1", help="Première date (AAAA-MM-JJ)."),
    date2: str = typer.Argument(..., metavar="DATE2", help="Seconde date (AAAA-MM-JJ)."),
    rulesets: Optional[Path] = RULESETS,
) -> None:
    """Ce qui a changé entre deux dates : critères ajoutés, retirés, modifiés, paramètres.

    \b
    Exemple :
      fundrules rulesets diff cpf 2018-12-31 2019-01-01
    """
    from fundrules.rulesets.describe import diff_rulesets, render_diff

    catalog = _catalog(rulesets)
    first, second = parse_date(date1, "DATE1"), parse_date(date2, "DATE2")
    from fundrules.report.layout import fit_text

    _echo(
        fit_text(render_diff(diff_rulesets(catalog, _funder(catalog, funder), first, second), first, second)), nl=False
    )


@rulesets_app.command("lint")
@handles_errors
def rulesets_lint(rulesets: Optional[Path] = RULESETS) -> None:
    """Toutes les vérifications du chargement, et que chaque critère puisse être vrai et faux.

    \b
    Exemple :
      fundrules rulesets lint --rulesets mes-regles/
    """
    from fundrules.freshness import overdue_reviews
    from fundrules.lint import lint_catalog

    catalog = _catalog(rulesets)
    problems = lint_catalog(catalog)
    for line in overdue_reviews(catalog, dt.date.today()):
        _echo(line)  # an overdue review is reported, not a failure
    for problem in problems:
        _echo(problem.render(), err=True)
    if problems:
        typer.echo(f"Erreur : {len(problems)} problème(s) dans les règles.", err=True)
        raise typer.Exit(1)
    count = sum(
        len(v.criteria)
        for f in catalog.funders.values()
        for t in (f.variants.values() if f.variant_by else [None])
        for v in f.versions_of(t)
    )
    typer.echo(f"Règles valides : {len(catalog.funders)} financeurs, {count} critères vérifiés.")


@app.command()
@handles_errors
def serve(
    host: str = typer.Option("127.0.0.1", "--host", help="Adresse d'écoute (par défaut : cette machine seulement)."),
    port: int = typer.Option(8000, "--port", min=1, max=65535, help="Port d'écoute."),
    workers: int = typer.Option(1, "--workers", min=1, max=64, help="Processus (un moteur chargé par processus)."),
    engine: Backend = ENGINE,
    rulesets: Optional[Path] = RULESETS,
    access_log: bool = typer.Option(
        False, "--access-log", help="Journaliser chaque requête (méthode, chemin, statut ; jamais le cas)."
    ),
    allowed_host: Optional[list[str]] = typer.Option(
        None,
        "--allowed-host",
        metavar="NOM",
        help="Nom d'hôte admis dans l'en-tête Host, en plus de localhost, 127.0.0.1 et [::1] (répétable ; * : tous).",
    ),
    header_timeout: Optional[float] = typer.Option(
        None, "--header-timeout", min=0.1, metavar="S", help="Délai pour recevoir les en-têtes d'une requête (10 s)."
    ),
    body_timeout: Optional[float] = typer.Option(
        None, "--body-timeout", min=0.1, metavar="S", help="Délai pour recevoir le corps d'une requête (20 s)."
    ),
    send_timeout: Optional[float] = typer.Option(
        None, "--send-timeout", min=0.1, metavar="S", help="Délai laissé au client pour lire la réponse (30 s)."
    ),
    max_connections: Optional[int] = typer.Option(
        None, "--max-connections", min=1, metavar="N", help="Connexions ouvertes par processus (1000)."
    ),
    max_in_flight: Optional[int] = typer.Option(
        None, "--max-in-flight", min=1, metavar="N", help="Requêtes en cours par processus, au-delà 503 (64)."
    ),
    cache_entries: Optional[int] = typer.Option(
        None,
        "--cache-entries",
        min=0,
        max=100_000_000,
        metavar="N",
        help="Entrées du cache des réponses par processus (40000 : environ 125 Mo une fois plein ; 0 : aucun cache).",
    ),
) -> None:
    """Démarrer le service HTTP (JSON) : évaluer, planifier et lire les règles depuis une autre application."""
    try:
        import fastapi  # noqa: F401
        import uvicorn  # noqa: F401
    except ImportError:
        _fail(
            "le service HTTP demande l'extra « http » : pip install 'fundrules[http]' "
            "(depuis le dépôt : pip install '.[http]')",
            EXIT_INPUT,
        )
    from fundrules.http.auth import TOKEN_ENV
    from fundrules.http.serve import LOOPBACK, Limits, run

    if host not in LOOPBACK and not os.environ.get(TOKEN_ENV):
        typer.echo(f"Attention : service ouvert sur {host} sans jeton ({TOKEN_ENV} non défini).", err=True)
    given = {
        "header_timeout": header_timeout,
        "body_timeout": body_timeout,
        "send_timeout": send_timeout,
        "max_connections": max_connections,
        "max_in_flight": max_in_flight,
        "allowed_hosts": tuple(allowed_host or ()),
        "cache_entries": cache_entries,
    }
    limits = Limits(**{name: value for name, value in given.items() if value is not None})
    run(host, port, workers, rulesets, engine.value, access_log, limits)


@handles_errors
def interview(
    case: Optional[str] = typer.Argument(
        None, metavar="CAS", help="Cas de départ (YAML ou JSON, ou cas de la bibliothèque) ; par défaut : vide."
    ),
    as_of: Optional[str] = AS_OF,
    save: Optional[Path] = typer.Option(
        None,
        "--enregistrer",
        "--save",
        metavar="FICHIER",
        help="Écrire le cas recueilli (faits seulement) dans ce nouveau fichier .yaml, à la fin seulement.",
    ),
    engine: Backend = ENGINE,
    rulesets: Optional[Path] = RULESETS,
) -> None:
    """Poser une à une les questions qui décident, en français, puis afficher l'évaluation.

    Réponses : oui / non, JJ/MM/AAAA, nombres (virgule décimale), numéro ou libellé d'un choix ;
    « je ne sais pas » laisse le fait inconnu, « retour » revient sur la réponse précédente,
    « fin » arrête, Ctrl-C abandonne sans rien écrire. Sans terminal, une réponse par ligne.

    \b
    Exemples :
      fundrules interview
      fundrules interroger cas.yaml --enregistrer cas-complet.yaml
      printf 'oui\\nje ne sais pas\\nfin\\n' | fundrules interview cas.yaml
    """
    from fundrules import Engine
    from fundrules.errors import InputError
    from fundrules.intake.answers import MAX_ANSWER_LENGTH
    from fundrules.intake.rank import funder_names
    from fundrules.intake.session import Interview, case_text, run
    from fundrules.library.names import check_target, write_file

    if case == "-":
        raise InputError("l'entrée standard porte les réponses : donnez le cas de départ dans un fichier", field="CAS")
    if save is not None:
        if save.suffix not in (".yaml", ".yml"):
            raise InputError("un fichier .yaml ou .yml était attendu", file=str(save), field="--enregistrer")
        if not save.parent.is_dir():
            raise InputError("dossier introuvable", file=str(save.parent), field="--enregistrer")
        check_target(save, replace=False)  # refused now rather than after the questions
    day = parse_date(as_of, "--as-of")
    start = _load_case(case).model_dump(mode="json", exclude_none=True) if case else {}
    runner = Engine(rulesets, backend=engine.value)
    session = Interview(runner, {k: v for k, v in start.items() if v != {}}, day)
    terminal = sys.stdin.isatty()

    def read() -> Optional[str]:
        if terminal:
            typer.echo("> ", nl=False)
        line = sys.stdin.readline(MAX_ANSWER_LENGTH + 2)
        if not line:
            return None
        if not line.endswith("\n") and len(line) > MAX_ANSWER_LENGTH:
            while not sys.stdin.readline(4096).endswith("\n"):  # the rest of an over-long line
                pass
            return line[: MAX_ANSWER_LENGTH + 1]
        return line.rstrip("\r\n")

    def names(funders: list[str]) -> str:  # as named on the date evaluated (RFPE before 2024, RFFT after)
        return funder_names(runner, funders, day or session.case.date_demande)

    _echo("Entretien guidé : « je ne sais pas », « retour » ou « fin » à tout moment.")
    run(session, read, _echo, echo=not terminal, names=names)
    final = session.case
    text = case_text(session) if save is not None else None
    if final.date_demande is None and day is None:
        _echo("\nSans date de demande, aucune évaluation n'est possible.")
    else:
        _echo("")
        from fundrules.report.synthesis import render_synthesis, synthesis_of

        evaluation, result, amounts = synthesis_of(runner, final, day)
        _echo(render_synthesis(evaluation, result, amounts, region=final.region), nl=False)  # as `check` prints
    if save is not None and text is not None:
        try:
            write_file(save, text, replace=False)
        except InputError:
            _echo("\nCas recueilli (non écrit, à copier) :\n" + text, nl=False)
            raise
        _echo(f"Cas écrit : {save}")


app.command("interview")(interview)
app.command("interroger", help="(alias français de « interview ») " + (interview.__doc__ or ""))(interview)


_USAGE_FR = [
    (
        r"No such option: (\S+?)(?:\s+\(Possible options: (.+)\))?(?:\s+Did you mean (\S+?)\?)?$",
        lambda m: (
            f"option inconnue {m.group(1)}"
            + (f" — vouliez-vous dire {m.group(2) or m.group(3)} ?" if (m.group(2) or m.group(3)) else "")
        ),
    ),
    (
        r"No such command '(.+?)'\.?(?:\s+Did you mean (.+)\?)?$",
        lambda m: (
            f"commande inconnue « {m.group(1)} »"
            + (f" — vouliez-vous dire {m.group(2).replace(chr(39), '')} ?" if m.group(2) else "")
        ),
    ),
    (r"Missing argument '(.+?)'\.?$", lambda m: f"argument manquant : {m.group(1).upper()}"),
    (r"Missing option '(.+?)'\.?$", lambda m: f"option obligatoire manquante : {m.group(1)}"),
    (r"Invalid value for '(.+?)': (.+)$", lambda m: f"valeur invalide pour {m.group(1)} : {_value_fr(m.group(2))}"),
    (r"Got unexpected extra argument(?:s|\(s\))? \((.+)\)$", lambda m: f"argument en trop : {m.group(1)}"),
    (r"Option '(.+?)' requires an argument\.?$", lambda m: f"l'option {m.group(1)} attend une valeur"),
]


def _value_fr(text: str) -> str:
    import re

    text = re.sub(r"^Value error,\s*", "", text.strip())
    patterns = [
        (
            r"'(.*?)' is not one of (.+?)\.?$",
            lambda m: f"« {m.group(1)} » n'est pas parmi {m.group(2).replace(' or ', ', ')}",
        ),
        (r"Input should be greater than or equal to (\S+)$", lambda m: f"au moins {m.group(1)} attendu"),
        (r"Input should be less than or equal to (\S+)$", lambda m: f"au plus {m.group(1)} attendu"),
        (r"Input should be a valid integer.*$", lambda m: "nombre entier attendu"),
    ]
    for pattern, render in patterns:
        match = re.match(pattern, text)
        if match:
            return render(match)
    return text


def usage_error_fr(message: str) -> str:
    import re

    for pattern, render in _USAGE_FR:
        match = re.match(pattern, message.strip())
        if match:
            return render(match)
    return f"usage incorrect ({message.strip()})"


def _argv_wants_json() -> bool:
    argv = sys.argv[1:]
    return "--format=json" in argv or any(a == "--format" and b == "json" for a, b in zip(argv, argv[1:], strict=False))


_GC_PAUSED: list[bool] = []  # set while the start of `check` or `plan` runs without the cyclic GC


def _pause_gc(argv: list[str], paused: bool = False) -> None:
    """`check` and `plan` start by importing the library and loading the rulesets: a few hundred
    thousand objects that all live until the process ends. The cyclic GC would traverse them
    again and again (about 110 collections, 15 ms of a cold check; 30 ms with durable-rules) and
    free nothing. It is paused for that start only, in the process of the command line (never in
    the library, nor for other commands), and resumed once the Engine is built (_run_on_case), or
    at the latest when the command ends. Once the Engine is built, what the start allocated is
    frozen (gc.freeze: never traversed again, nor at exit, which is their fate anyway in a process
    that answers one case and ends; main() is that process's entry point); the evaluation runs
    with the GC as usual. A start that fails only resumes the GC. `paused`: the installed entry point
    (entry.py) already paused it for this command, before importing this module."""
    if paused and not gc.isenabled():
        _GC_PAUSED.append(True)
    elif argv[:1] in (["check"], ["plan"]) and gc.isenabled():
        gc.disable()
        _GC_PAUSED.append(True)


def _resume_gc(freeze: bool = False) -> None:
    """Resume the GC paused by _pause_gc; `freeze` once the Engine is built (the start succeeded)."""
    if _GC_PAUSED:
        _GC_PAUSED.clear()
        if freeze:
            gc.freeze()
        gc.enable()


def main(gc_paused: bool = False) -> None:
    """Run the app; usage errors (unknown option, missing argument…) are said in French, exit 2.
    `gc_paused`: entry.py paused the cyclic GC for this command (resumed here, see _pause_gc)."""
    _pause_gc(sys.argv[1:], gc_paused)
    commands, groups = app.registered_commands, app.registered_groups
    if sys.argv[1:2] in (["check"], ["plan"]):
        # typer builds every command and sub-app (their signatures, options) before running one:
        # for these two, only the one asked for is built. Its help, options and errors are the same.
        # Kept (issue 23 asked to drop it if the cold start were kept by other means): without it a
        # cold check takes 3-6 % more CPU, alternated with it (bench/README.md, round 3).
        wanted = check if sys.argv[1] == "check" else plan
        app.registered_commands = [c for c in commands if c.callback is wanted]
        app.registered_groups = []
    try:
        _main()
    finally:
        app.registered_commands, app.registered_groups = commands, groups
        _resume_gc()


def _main() -> None:
    try:  # typer >= 0.2x vendors click; older ones use the click package
        from typer._click import exceptions as click
    except ImportError:  # pragma: no cover - depends on the installed typer
        from click import exceptions as click

    try:
        result = app(prog_name="fundrules", standalone_mode=False)
    except (typer.Exit, getattr(click, "Exit", typer.Exit)) as stop:
        sys.exit(stop.exit_code)
    except click.UsageError as error:
        if type(error).__name__ == "NoArgsIsHelpError":  # the help was shown: nothing else to say
            sys.exit(EXIT_INPUT)
        command = error.ctx.command_path if error.ctx else "fundrules"
        if _argv_wants_json():
            _echo_json(
                json.dumps(
                    {
                        "error": {
                            "code": "usage_error",
                            "message": usage_error_fr(error.format_message()),
                            "file": None,
                            "line": None,
                            "field": None,
                        }
                    },
                    ensure_ascii=False,
                    indent=2,
                )
            )
            sys.exit(EXIT_INPUT)
        _echo(
            f"Erreur : {usage_error_fr(error.format_message())}\n(« {command} --help » décrit les arguments)", err=True
        )
        sys.exit(EXIT_INPUT)
    except (getattr(click, "Abort", typer.Abort), typer.Abort, KeyboardInterrupt):  # typer 0.2x has no click Abort
        typer.echo("Interrompu.", err=True)
        sys.exit(EXIT_INTERRUPTED)
    if result == EXIT_INTERRUPTED:  # typer turns Ctrl-C into a silent exit code 130
        typer.echo("Interrompu.", err=True)
    sys.exit(result if isinstance(result, int) else 0)


if __name__ == "__main__":
    main()
