"""The counsellors' page (issue 28): `GET /` and the forms it posts, over the library only.

Each request reads the interview's state from the form (fundrules/web/state.py), applies one step
(an answer, "je ne sais pas", "retour"), and answers the whole page again: the intake's next question
(fundrules.intake) beside the synthesis `fundrules check` prints (fundrules.report.synthesis). Works
without JavaScript; nothing about the person is stored or logged; every engine call runs in the
thread pool, as for the API."""

from __future__ import annotations

import datetime as dt
import logging
import math
import traceback
import urllib.parse
from pathlib import Path
from typing import Any, Optional

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.routing import APIRoute
from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.concurrency import run_in_threadpool

from ..case import case_facts, case_from_data
from ..errors import FundrulesError, InputError
from ..french import date_fr, fact_label, fact_value_fr
from ..intake import next_questions
from ..intake.answers import AnswerError, allowed, parse_answer
from ..intake.rank import funder_names
from ..intake.session import Interview, case_text
from ..library.privacy import lint_text
from ..report import render_text
from ..report.plan import render_plan_text
from ..report.synthesis import synthesis_of
from ..source import decode_text, parse_bytes
from ..triage import triage_line
from . import security
from .login_throttle import LoginThrottle
from .state import State, decode, plain_data
from .synthesis_html import synthesis_sections

HERE = Path(__file__).parent
MAX_FORM_BYTES = 200_000  # the state of a whole case is far below
MAX_UPLOAD_BYTES = 200_000  # a case file is a few kilobytes; the CLI's bound (1 MB) is for any file
MAX_FORM_FIELDS = 10
FORM = "application/x-www-form-urlencoded"
STATIC = {"web.css": "text/css; charset=utf-8", "web.js": "text/javascript; charset=utf-8"}
# The page's paths: it checks the token itself (its login cookie or the API's header) and its forms
# carry a CSRF token, so the service's JSON-only and bearer rules for /v1 do not apply to them.
FORM_PATHS = frozenset({"/entretien", "/detail", "/cas.yaml", "/charger", "/connexion", "/deconnexion"})
PAGE_PATHS = FORM_PATHS | {"/"} | {f"/static/{name}" for name in STATIC}
_templates = Environment(
    loader=FileSystemLoader(str(HERE / "templates")),
    autoescape=select_autoescape(default=True, default_for_string=True),
    trim_blocks=True,
    lstrip_blocks=True,
)
_templates.filters["upper_first"] = lambda text: text[:1].upper() + text[1:]
# French typography: no line starts with "?", ":" or ";" (a non-breaking space before them)
_templates.filters["nbsp"] = lambda text: (
    text.replace(" ?", "\u00a0?").replace(" :", "\u00a0:").replace(" ;", "\u00a0;")
)


class PageError(Exception):
    """A request the page refuses, said in French on an HTML page."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status, self.message = status, message


class PageRoute(APIRoute):
    """A route of the page: a bug inside it is answered by an HTML page in French (status 500), not by
    the API's JSON error, and logged as its type and code lines only (its message may quote the case)."""

    def get_route_handler(self):
        handler = super().get_route_handler()

        async def guarded(request: Request) -> Response:
            try:
                return await handler(request)
            except Exception as error:  # noqa: BLE001 - the page's last line of defence
                stack = "".join(traceback.format_tb(error.__traceback__))
                _log.error("erreur interne (%s) sur la page %s\n%s", type(error).__name__, request.url.path, stack)
                message = "erreur interne du service : rien n'a été enregistré ; rechargez la page ou recommencez"
                return _html("message.html", {"message": message}, _csrf_of(request), 500, request)

        return guarded


_log = logging.getLogger("fundrules.http")


# --- reading requests (bounded) ----------------------------------------------------------------


async def _body(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length")
    if declared is not None and (not declared.isdigit() or int(declared) > limit):
        raise PageError(413, f"envoi trop gros (au plus {limit} octets)")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise PageError(413, f"envoi trop gros (au plus {limit} octets)")
        chunks.append(chunk)
    return b"".join(chunks)


async def _form(request: Request) -> dict[str, str]:
    """An application/x-www-form-urlencoded body (bounded), one value per field."""
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind != FORM:
        raise PageError(415, f"formulaire attendu ({FORM})")
    raw = await _body(request, MAX_FORM_BYTES)
    try:
        pairs = urllib.parse.parse_qsl(
            raw.decode("utf-8"), keep_blank_values=True, strict_parsing=False, max_num_fields=MAX_FORM_FIELDS
        )
    except (UnicodeDecodeError, ValueError):
        raise PageError(400, "formulaire illisible") from None
    return dict(pairs)


def _check_post(request: Request, token: Optional[str], given_csrf: Optional[str]) -> None:
    if not security.same_origin(request.headers.get("origin"), request.headers.get("host"), request.url.scheme):
        raise PageError(403, "formulaire envoyé depuis un autre site : refusé")
    if not security.csrf_valid(request.cookies.get(security.CSRF_COOKIE), given_csrf):
        raise PageError(403, "formulaire expiré ou d'une autre page : rechargez la page et recommencez")
    if not _authorized(request, token):
        raise PageError(401, "connexion nécessaire : donnez le jeton du service")


def _authorized(request: Request, token: Optional[str]) -> bool:
    return security.authorized(
        token, request.headers.get("authorization"), request.cookies.get(security.SESSION_COOKIE)
    )


# --- answering -----------------------------------------------------------------------------------


def _html(
    template: str, context: dict[str, Any], csrf: str, status: int = 200, request: Optional[Request] = None
) -> HTMLResponse:
    text = _templates.get_template(template).render(**context, csrf=csrf, base=_base(request))
    response = HTMLResponse(text, status_code=status, headers=security.HEADERS)
    _set_csrf(response, csrf, request)
    return response


def _set_csrf(response: Response, csrf: str, request: Optional[Request]) -> None:
    secure = request is not None and request.url.scheme == "https"
    path = _base(request) + "/" if request is not None else "/"
    response.set_cookie(security.CSRF_COOKIE, csrf, httponly=True, samesite="strict", secure=secure, path=path)


def _base(request: Optional[Request]) -> str:
    """The prefix the page is served under (`uvicorn --root-path /conseil`, or the application
    mounted in another): every link, form, redirect and cookie path starts with it, so that the page
    works behind a reverse proxy's sub-path. The root path comes from the server's configuration,
    not from the client; templates escape it like any value."""
    if request is None:
        return ""
    return str(request.scope.get("root_path", "")).rstrip("/")


def _csrf_of(request: Request) -> str:
    """The browser's CSRF value, or a new one (first visit)."""
    cookie = request.cookies.get(security.CSRF_COOKIE)
    return cookie if cookie and 20 <= len(cookie) <= 100 else security.new_csrf()


def _names(engine, funders: list[str], day: Optional[dt.date] = None) -> str:
    return funder_names(engine, funders, day)


def page_context(engine, state: State, **extra: Any) -> dict[str, Any]:
    """Everything the page shows for one state: the next question, the answers given, the synthesis."""

    case = state.case
    found = next_questions(engine, case, None, limit=1, skip=state.skipped).questions
    question = found[0] if found else None
    sections = None
    if case.date_demande is not None:
        evaluation, plan, amounts = synthesis_of(engine, case)
        sections = synthesis_sections(evaluation, plan, amounts, case.region, triage_line(case))

    answers = [(path, fact_label(path), fact_value_fr(path, value)) for path, value in case_facts(case).items()]
    prefill = ""
    if question is not None and question.fact == "date_demande":
        prefill = date_fr(dt.date.today())
    context = {
        "state": state.encode(),
        "question": question,
        "number": len(state.steps) + 1,
        "allowed": allowed(question) if question else "",
        "funders": _names(engine, question.funders, case.date_demande) if question and question.funders else "",
        "answers": answers,
        "skipped": [fact_label(p) for p in dict.fromkeys(state.skipped)],
        "sections": sections,
        "date_demande": date_fr(case.date_demande) if case.date_demande else None,
        "entered": prefill,
        "error": None,
        "changes": [],
        "notice": None,
        "upload_error": None,
        "can_go_back": bool(state.steps),
    }
    context.update({k: v for k, v in extra.items() if v is not None})
    return context


def interview_step(engine, form: dict[str, str]) -> tuple[int, dict[str, Any]]:
    """One step of the interview from a submitted form: (HTTP status, page context)."""

    try:
        state = decode(form.get("etat"))
    except InputError as err:
        return 422, page_context(engine, State(), notice=err.reason)
    action = form.get("action", "repondre")
    if action == "reprendre":  # back from the detail view
        return 200, page_context(engine, state)
    if action == "retour":
        previous = state.back()
        if previous is None:
            return 200, page_context(engine, state, notice="Rien à reprendre : c'est la première question.")
        return 200, page_context(engine, previous, notice="Retour à la question précédente.")
    found = next_questions(engine, state.case, None, limit=1, skip=state.skipped).questions
    question = found[0] if found else None
    if question is None or form.get("fait") != question.fact:
        return 200, page_context(engine, state, notice="La question a changé : voici la question à poser maintenant.")
    if action == "nsp":
        return 200, page_context(engine, state.skip(question.fact), notice="Laissé inconnu.")
    if action != "repondre":
        return 400, page_context(engine, state, notice="action inconnue")
    said = form.get("reponse", "")
    try:
        value = parse_answer(question, said)
        interview = Interview(engine, state.data)
        lines = interview.answer(question.fact, value)
    except (AnswerError, InputError) as error:
        reason = error.reason if isinstance(error, InputError) else str(error)
        message = f"Réponse refusée : {reason}. Réponses possibles : {allowed(question)}."
        return 422, page_context(engine, state, error=message, entered=said[:200])
    if not lines:
        who = f" pour {_names(engine, question.funders, interview.case.date_demande)}" if question.funders else ""
        lines = [f"Pas de changement{who} (d'autres faits restent à recueillir)."]
    return 200, page_context(engine, state.answered(question.fact, interview.case), changes=lines)


def detail_context(engine, state: State) -> dict[str, Any]:
    """The full answer and the plans, as `check --detail` and `plan --detail` print them."""

    case = state.case
    if case.date_demande is None:
        raise PageError(422, "sans date de demande, aucune règle ne s'applique : répondez d'abord à la date")
    evaluation, plan, _amounts = synthesis_of(engine, case)
    return {
        "state": state.encode(),
        "answer": render_text(evaluation, width=100, region=case.region, note=triage_line(case)),
        "plans": render_plan_text(plan, width=100),
        "date_demande": date_fr(case.date_demande),
    }


def case_file(engine, state: State) -> str:
    """The case as the YAML file the CLI reads: facts only, checked for personal data and read back."""

    text = case_text(Interview(engine, state.data))
    body = text.split("\n", 1)[1] if text.startswith("#") else text
    return "# Cas recueilli sur la page fundrules : faits seulement, à relire avant usage.\n" + body


def uploaded_state(raw: bytes, name: str) -> State:
    """A case file sent by the counsellor: the same strict parser as the CLI, the privacy checks."""

    doc = parse_bytes(raw, name, json_syntax=name.lower().endswith(".json"))  # as read_document does
    findings = lint_text(decode_text(raw, name), name, doc)
    if findings:
        first = findings[0]
        raise InputError(f"{first.kind} : les cas ne gardent aucune donnée personnelle", file=name, line=first.line)
    data = doc.data
    base: tuple[str, ...] = ()
    if isinstance(data, dict) and "meeting" in data and "case" in data:  # a case of the library: its facts
        data, base = data["case"], ("case",)
    return State(plain_data(case_from_data(data, doc, base=base)))


# --- routes --------------------------------------------------------------------------------------


def web_router(token: Optional[str] = None, throttle: Optional[LoginThrottle] = None) -> APIRouter:
    """The page's routes; `token`: the API's token (None: open), the same rule as for /v1;
    `throttle`: the count of failed logins (one per application by default)."""
    router = APIRouter(include_in_schema=False, route_class=PageRoute)
    logins = throttle if throttle is not None else LoginThrottle()

    def refused(request: Request, error: PageError) -> HTMLResponse:
        csrf = _csrf_of(request)
        if error.status == 401:
            return _html("login.html", {"error": error.message}, csrf, 401, request)
        return _html("message.html", {"message": error.message}, csrf, error.status, request)

    async def posted(request: Request, work) -> Response:
        try:
            form = await _form(request)
            _check_post(request, token, form.get(security.CSRF_FIELD))
            return await work(form, _csrf_of(request))
        except PageError as error:
            return refused(request, error)

    @router.get("/", response_class=HTMLResponse)
    async def home(request: Request) -> Response:
        if not _authorized(request, token):
            return RedirectResponse(_base(request) + "/connexion", status_code=303, headers=security.HEADERS)
        context = await run_in_threadpool(page_context, request.app.state.engine, State())
        return _html("page.html", context, _csrf_of(request), request=request)

    @router.post("/entretien", response_class=HTMLResponse)
    async def interview(request: Request) -> Response:
        async def work(form, csrf):
            status, context = await run_in_threadpool(interview_step, request.app.state.engine, form)
            return _html("page.html", context, csrf, status, request)

        return await posted(request, work)

    @router.post("/detail", response_class=HTMLResponse)
    async def detail(request: Request) -> Response:
        async def work(form, csrf):
            try:
                state = decode(form.get("etat"))
            except InputError as err:
                raise PageError(422, err.reason) from None
            context = await run_in_threadpool(detail_context, request.app.state.engine, state)
            return _html("detail.html", context, csrf, request=request)

        return await posted(request, work)

    @router.post("/cas.yaml")
    async def download(request: Request) -> Response:
        async def work(form, csrf):
            try:
                text = await run_in_threadpool(case_file, request.app.state.engine, decode(form.get("etat")))
            except InputError as err:
                raise PageError(422, str(err)) from None
            headers = {**security.HEADERS, "Content-Disposition": 'attachment; filename="cas.yaml"'}
            return Response(text, media_type="application/yaml; charset=utf-8", headers=headers)

        return await posted(request, work)

    @router.post("/charger", response_class=HTMLResponse)
    async def upload(request: Request) -> Response:
        csrf = _csrf_of(request)
        engine = request.app.state.engine
        try:
            kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
            if kind != "multipart/form-data":
                raise PageError(415, "envoi de fichier attendu (multipart/form-data)")
            raw = await _body(request, MAX_UPLOAD_BYTES + 4_000)
            form = await _multipart(request, raw)
            _check_post(request, token, _text(form.get(security.CSRF_FIELD)))
            sent = form.get("fichier")
            if sent is None or isinstance(sent, str) or not sent.filename:
                raise PageError(422, "aucun fichier choisi")
            name = Path(sent.filename[:200]).name or "cas.yaml"
            content = await sent.read(MAX_UPLOAD_BYTES + 1)
            if len(content) > MAX_UPLOAD_BYTES:
                raise PageError(413, f"fichier trop gros (au plus {MAX_UPLOAD_BYTES} octets)")
        except PageError as error:
            if error.status in (401, 403, 415):
                return refused(request, error)
            context = await run_in_threadpool(page_context, engine, State(), upload_error=error.message)
            return _html("page.html", context, csrf, error.status, request)
        try:
            state = uploaded_state(content, name)
        except FundrulesError as err:
            context = await run_in_threadpool(page_context, engine, State(), upload_error=str(err))
            return _html("page.html", context, csrf, 422, request)
        context = await run_in_threadpool(page_context, engine, state, notice=f"Cas chargé : {name}.")
        return _html("page.html", context, csrf, request=request)

    @router.get("/connexion", response_class=HTMLResponse)
    async def login_form(request: Request) -> Response:
        return _html("login.html", {"error": None, "open": not token}, _csrf_of(request), request=request)

    @router.post("/connexion", response_class=HTMLResponse)
    async def login(request: Request) -> Response:
        try:
            form = await _form(request)
            if not security.csrf_valid(request.cookies.get(security.CSRF_COOKIE), form.get(security.CSRF_FIELD)):
                raise PageError(403, "formulaire expiré : rechargez la page et recommencez")
        except PageError as error:
            return refused(request, error)
        address = request.client.host if request.client else "inconnue"
        wait = logins.wait_seconds(address) if token else 0.0
        if wait:
            minutes = max(1, math.ceil(wait / 60))
            refusal = f"trop d'essais de jeton depuis cette adresse : réessayez dans {minutes} min"
            throttled = _html("login.html", {"error": refusal}, _csrf_of(request), 429, request)
            throttled.headers["Retry-After"] = str(math.ceil(wait))
            return throttled
        if token and not security.token_matches(token, form.get("jeton", "")):
            logins.failed(address)
            return _html("login.html", {"error": "jeton invalide"}, _csrf_of(request), 401, request)
        if token:
            logins.succeeded(address)
        response = RedirectResponse(_base(request) + "/", status_code=303, headers=security.HEADERS)
        if token:
            secure = request.url.scheme == "https"
            response.set_cookie(
                security.SESSION_COOKIE,
                security.session_value(token),
                httponly=True,
                samesite="strict",
                secure=secure,
                path=_base(request) + "/",
            )
        return response

    @router.post("/deconnexion")
    async def logout(request: Request) -> Response:
        async def work(form, csrf):
            response = RedirectResponse(_base(request) + "/connexion", status_code=303, headers=security.HEADERS)
            response.delete_cookie(security.SESSION_COOKIE, path=_base(request) + "/")
            return response

        return await posted(request, work)

    @router.get("/static/{name}")
    async def static(name: str) -> Response:
        if name not in STATIC:
            return Response("introuvable", status_code=404, media_type="text/plain; charset=utf-8")
        body = (HERE / "static" / name).read_bytes()
        return Response(body, media_type=STATIC[name], headers={"X-Content-Type-Options": "nosniff"})

    return router


def _text(value: Any) -> Optional[str]:
    return value if isinstance(value, str) else None


async def _multipart(request: Request, raw: bytes):
    """The multipart form of an already-read (bounded) body: at most one file and three fields."""
    from starlette.requests import Request as StarletteRequest

    sent = False

    async def replay() -> dict:
        nonlocal sent
        if sent:
            return {"type": "http.request", "body": b"", "more_body": False}
        sent = True
        return {"type": "http.request", "body": raw, "more_body": False}

    try:
        return await StarletteRequest(request.scope, replay).form(
            max_files=1, max_fields=3, max_part_size=MAX_UPLOAD_BYTES
        )
    except Exception:  # noqa: BLE001 - python-multipart's and Starlette's refusals, all alike to the user
        raise PageError(400, "envoi de fichier illisible") from None
