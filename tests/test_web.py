"""The counsellors' page over plain HTTP (a real uvicorn server on the loopback, a real client):
CSRF refusals, security headers, escaping of hostile values, the token rule, upload and form
bounds, the case file downloaded and read back, the interview's steps. The browser walk is in
tests/test_web_browser.py."""

from __future__ import annotations

import http.client
import json
import re
import threading
import time
import urllib.parse
import uuid

import pytest
import yaml

from .conftest import ROOT

pytest.importorskip("fastapi")
uvicorn = pytest.importorskip("uvicorn")
pytest.importorskip("python_multipart", reason="python-multipart (extra http) est nécessaire aux envois de fichier")

from fundrules.case import case_facts, case_from_data  # noqa: E402
from fundrules.case_file import load_case  # noqa: E402
from fundrules.library import load_library_case  # noqa: E402
from fundrules.web.routes import MAX_UPLOAD_BYTES  # noqa: E402
from fundrules.web.state import decode  # noqa: E402

TOKEN = "jeton-web-9c1e"
HOSTILE = "<script>alert(1)</script>\"'&<img src=x onerror=alert(2)>"
CDD = ROOT / "cases" / "examples" / "ancien-cdd-2018.yaml"


class Server:
    """A uvicorn server in a thread on a free loopback port; a browser-like client with cookies."""

    def __init__(self, app, root_path: str = ""):
        from fundrules.http.serve import listen

        self.sock = listen("127.0.0.1", 0)
        self.port = self.sock.getsockname()[1]
        config = uvicorn.Config(app, log_level="warning", access_log=False, root_path=root_path)
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.sock]}, daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            assert time.monotonic() < deadline, "server did not start"
            time.sleep(0.01)

    def request(self, method, path, body=None, headers=None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        try:
            conn.request(method, path, body=body, headers=headers or {})
            response = conn.getresponse()
            raw = response.read()
            return response.status, response.headers, raw.decode("utf-8")
        finally:
            conn.close()

    def stop(self):
        self.server.should_exit = True
        self.thread.join(10)


class Browser:
    """Keeps the cookies the page sets, sends forms as a browser does."""

    def _headers(self, extra=None):
        headers = {"Host": f"127.0.0.1:{self.server.port}"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        headers.update(extra or {})
        return headers

    def _keep(self, headers):
        for value in headers.get_all("set-cookie") or []:
            name, _, rest = value.partition("=")
            self.cookies[name] = rest.split(";")[0]

    def __init__(self, server: Server):
        self.server, self.cookies = server, {}

    def get(self, path="/", headers=None):
        status, got, text = self.server.request("GET", path, headers=self._headers(headers))
        self._keep(got)
        return status, got, text

    def post(self, path, fields, headers=None):
        body = urllib.parse.urlencode(fields).encode()
        extra = {"Content-Type": "application/x-www-form-urlencoded", **(headers or {})}
        status, got, text = self.server.request("POST", path, body, self._headers(extra))
        self._keep(got)
        return status, got, text

    def upload(self, name: str, content: bytes, csrf: str | None = None):
        boundary = uuid.uuid4().hex
        parts = [
            f'--{boundary}\r\nContent-Disposition: form-data; name="csrf"\r\n\r\n{csrf or self.csrf}\r\n'.encode(),
            f'--{boundary}\r\nContent-Disposition: form-data; name="fichier"; filename="{name}"\r\n'
            f"Content-Type: application/yaml\r\n\r\n".encode()
            + content
            + b"\r\n",
            f"--{boundary}--\r\n".encode(),
        ]
        extra = {"Content-Type": f"multipart/form-data; boundary={boundary}"}
        status, got, text = self.server.request("POST", "/charger", b"".join(parts), self._headers(extra))
        self._keep(got)
        return status, got, text

    @property
    def csrf(self) -> str:
        return self.cookies["fundrules_csrf"]


def hidden(page: str, name: str) -> str:
    import html

    found = re.search(rf'name="{name}" value="([^"]*)"', page)
    assert found, f"champ {name} absent"
    return html.unescape(found.group(1))


@pytest.fixture(scope="module")
def server(python_engine):
    from fundrules.http import create_app

    running = Server(create_app(python_engine, token=None))
    yield running
    running.stop()


@pytest.fixture(scope="module")
def guarded(python_engine):
    from fundrules.http import create_app

    running = Server(create_app(python_engine, token=TOKEN))
    yield running
    running.stop()


@pytest.fixture
def browser(server):
    client = Browser(server)
    status, _headers, _page = client.get("/")
    assert status == 200
    return client


# --- headers and the page itself --------------------------------------------------------------------


def test_the_page_is_french_with_strict_security_headers(server):
    status, headers, page = Browser(server).get("/")
    assert status == 200 and '<html lang="fr">' in page
    csp = headers["content-security-policy"]
    assert "frame-ancestors 'none'" in csp and "script-src 'self'" in csp and "style-src 'self'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp and "default-src 'none'" in csp
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "same-origin"
    assert headers["cache-control"] == "no-store"
    cookie = headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie


def test_no_inline_script_style_or_external_resource(server):
    _status, _headers, page = Browser(server).get("/")
    assert not re.search(r"<script(?![^>]*\bsrc=\"/static/)", page)  # every script is our own file
    assert not re.search(r"<style", page) and not re.search(r"\sstyle=", page)
    assert not re.search(r"\son[a-z]+=", page)  # no event handler attribute
    assert not re.search(r"(src|href)=\"(https?:)?//", page)  # nothing from another site
    for name, kind in (("web.css", "text/css"), ("web.js", "text/javascript")):
        status, headers, body = server.request("GET", f"/static/{name}")
        assert status == 200 and headers["content-type"].startswith(kind)
        assert "http://" not in body and "https://" not in body and "@import" not in body
    assert server.request("GET", "/static/../routes.py")[0] == 404


def test_every_field_has_a_label(browser):
    _status, _headers, page = browser.get("/")
    for field in re.findall(r'<input id="([^"]+)"', page):
        assert f'<label for="{field}"' in page, field


# --- CSRF ------------------------------------------------------------------------------------------


def test_a_form_without_the_csrf_cookie_is_refused(server):
    client = Browser(server)
    status, _headers, page = client.post("/entretien", {"csrf": "x" * 43, "etat": "", "fait": "date_demande"})
    assert status == 403 and "formulaire expiré" in page.lower()


def test_a_form_whose_token_differs_from_the_cookie_is_refused(browser):
    fields = {"csrf": "y" * 43, "etat": "", "fait": "date_demande", "reponse": "12/03/2018"}
    status, _headers, page = browser.post("/entretien", fields)
    assert status == 403 and "Entretien" not in page
    for path in ("/detail", "/cas.yaml"):
        assert browser.post(path, {"csrf": "y" * 43, "etat": ""})[0] == 403
    assert browser.upload("cas.yaml", CDD.read_bytes(), csrf="z" * 43)[0] == 403


def test_a_form_posted_from_another_site_is_refused(browser):
    fields = {"csrf": browser.csrf, "etat": "", "fait": "date_demande", "reponse": "12/03/2018"}
    status, _headers, page = browser.post("/entretien", fields, {"Origin": "http://attaquant.example"})
    assert status == 403 and "autre site" in page
    assert browser.post("/entretien", fields, {"Origin": f"http://127.0.0.1:{browser.server.port}"})[0] == 200


def test_forms_must_be_urlencoded(browser):
    body = json.dumps({"csrf": browser.csrf}).encode()
    headers = browser._headers({"Content-Type": "application/json"})
    status, _headers, page = browser.server.request("POST", "/entretien", body, headers)
    assert status == 415 and "application/x-www-form-urlencoded" in page


# --- the interview -----------------------------------------------------------------------------------


def test_an_answer_moves_the_interview_and_the_synthesis_appears_with_the_date(browser):
    _s, _h, page = browser.get("/")
    assert hidden(page, "fait") == "date_demande" and "La synthèse s'affiche dès que" in page
    status, _h, page = browser.post(
        "/entretien",
        {"csrf": browser.csrf, "etat": hidden(page, "etat"), "fait": "date_demande", "reponse": "12/03/2018"},
    )
    assert status == 200
    assert decode(hidden(page, "etat")).data == {"date_demande": "2018-03-12"}
    assert "Entretien — demande du 12/03/2018" in page and "QUI PEUT PAYER" in page
    assert hidden(page, "fait") != "date_demande"


def test_a_wrong_number_is_refused_next_to_the_field_with_the_cli_words(browser):
    state = (
        '{"data":{"date_demande":"2018-03-12","beneficiaire":{"statut":"demandeur_emploi",'
        '"inscrit_pole_emploi":true},"projet":{"type_action":"certification_rncp"}},"skipped":[],"steps":[]}'
    )
    _s, _h, page = browser.post("/entretien", {"csrf": browser.csrf, "etat": state, "action": "reprendre"})
    fact = hidden(page, "fait")
    assert fact in ("projet.cout_pedagogique", "projet.duree_heures")  # the next triage facts: numbers
    assert 'inputmode="decimal"' in page
    fields = {"csrf": browser.csrf, "etat": state, "fait": fact, "reponse": "douze"}
    status, _h, page = browser.post("/entretien", fields)
    assert status == 422
    assert 'role="alert">Réponse refusée : « douze » n&#39;est pas un nombre.' in page
    assert 'aria-describedby="aide erreur" aria-invalid="true"' in page
    assert 'value="douze"' in page  # what was typed stays, to be corrected
    status, _h, page = browser.post("/entretien", {**fields, "reponse": "-3"})
    assert status == 422 and "est trop petit" in page
    status, _h, page = browser.post("/entretien", {**fields, "reponse": "1 200,0"})  # a French comma, spaces
    section, name = fact.split(".")
    assert status == 200 and decode(hidden(page, "etat")).data[section][name] == 1200


def test_je_ne_sais_pas_then_retour_restores_the_question(browser):
    _s, _h, page = browser.upload("cas.yaml", b"date_demande: 2018-03-12\n")
    first = hidden(page, "fait")
    status, _h, page = browser.post(
        "/entretien", {"csrf": browser.csrf, "etat": hidden(page, "etat"), "fait": first, "action": "nsp"}
    )
    assert status == 200 and hidden(page, "fait") != first and decode(hidden(page, "etat")).skipped == [first]
    _s, _h, page = browser.post("/entretien", {"csrf": browser.csrf, "etat": hidden(page, "etat"), "action": "retour"})
    assert hidden(page, "fait") == first and decode(hidden(page, "etat")).skipped == []
    _s, _h, page = browser.post("/entretien", {"csrf": browser.csrf, "etat": hidden(page, "etat"), "action": "retour"})
    assert "Rien à reprendre" in page and hidden(page, "fait") == first


def test_a_tampered_state_is_refused_in_french(browser):
    for state, said in (
        ('{"data":{"beneficiaire":{"statutt":"salarie"}},"skipped":[],"steps":[]}', "vouliez-vous dire statut"),
        ('{"data":{},"skipped":["inconnu"],"steps":[]}', "fait inconnu"),
        ("[1, 2", "JSON invalide"),
        ('{"data":{},"skipped":[],"steps":[["a","date_demande",{"x":1}]]}', "date attendue"),
    ):
        status, _h, page = browser.post("/entretien", {"csrf": browser.csrf, "etat": state, "action": "reprendre"})
        assert status == 422 and said in page, said
        assert hidden(page, "etat") == '{"data":{},"skipped":[],"steps":[]}'  # a fresh interview


def test_personal_data_put_in_the_state_is_refused_and_never_downloaded(browser):
    state = json.dumps(
        {
            "data": {"date_demande": "2018-03-12", "projet": {"intitule": "appeler le 06 12 34 56 78"}},
            "skipped": [],
            "steps": [],
        }
    )
    for path in ("/entretien", "/cas.yaml"):
        status, headers, page = browser.post(path, {"csrf": browser.csrf, "etat": state, "action": "reprendre"})
        assert status == 422 and "numéro de téléphone" in page and "06 12 34 56 78" not in page
        assert headers["content-type"].startswith("text/html")


def test_a_form_over_the_bound_is_refused_before_it_is_read(browser):
    status, _h, page = browser.post("/entretien", {"csrf": browser.csrf, "etat": "x" * 300_000})
    assert status == 413 and "trop gros" in page


# --- escaping ------------------------------------------------------------------------------------------


def test_hostile_values_are_escaped_everywhere(browser):
    case = f"date_demande: 2018-03-12\nprojet:\n  intitule: {json.dumps(HOSTILE)}\n".encode()
    status, _h, page = browser.upload("<img src=x onerror=alert(3)>.yaml", case)
    assert status == 200
    assert "<script>alert(1)" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page  # shown as text in the answers given
    assert "&lt;img src=x onerror=alert(3)&gt;.yaml" in page
    assert decode(hidden(page, "etat")).data["projet"]["intitule"] == HOSTILE  # kept exactly, only escaped
    _s, _h, detail = browser.post("/detail", {"csrf": browser.csrf, "etat": hidden(page, "etat")})
    assert "<script>alert(1)" not in detail
    refused = browser.post("/entretien", {"csrf": browser.csrf, "etat": HOSTILE, "action": "reprendre"})[2]
    assert "<script>alert(1)" not in refused and "<img src=x" not in refused


# --- case file: download and upload ---------------------------------------------------------------------


def test_the_downloaded_case_is_the_cli_case_file_of_the_facts(browser):
    expected = load_case(CDD)
    _s, _h, page = browser.upload("ancien-cdd.yaml", CDD.read_bytes())
    status, headers, text = browser.post("/cas.yaml", {"csrf": browser.csrf, "etat": hidden(page, "etat")})
    assert status == 200 and headers["content-disposition"] == 'attachment; filename="cas.yaml"'
    assert headers["content-type"].startswith("application/yaml")
    assert text.startswith("# ")
    assert case_facts(case_from_data(yaml.safe_load(text))) == case_facts(expected)


def test_a_library_case_is_read_for_its_facts(browser):
    path = ROOT / "cases" / "24" / "2019-T2" / "cadre-demission-avant-la-reforme.yaml"
    status, _h, page = browser.upload(path.name, path.read_bytes())
    assert status == 200 and f"Cas chargé : {path.name}." in page
    assert case_facts(decode(hidden(page, "etat")).case) == case_facts(load_library_case(path).case)


def test_an_upload_with_personal_data_is_refused(browser):
    status, _h, page = browser.upload(
        "cas.yaml", b"date_demande: 2018-03-12\nprojet:\n  intitule: ecrire a jean.dupont@example.org\n"
    )
    assert status == 422 and "adresse e-mail" in page and "ligne 3" in page
    assert hidden(page, "etat") == '{"data":{},"skipped":[],"steps":[]}'


def test_an_upload_refused_by_the_parser_says_what_the_cli_says(browser):
    status, _h, page = browser.upload(
        "cas.yaml", b"date_demande: 2018-03-12\nbeneficiaire:\n  statut: salarie\n  agee: 3\n"
    )
    assert status == 422
    assert 'role="alert"' in page and "cas.yaml, ligne 4" in page and "fait inconnu — vouliez-vous dire age ?" in page


def test_an_upload_over_the_bound_is_refused(browser):
    big = b"# " + b"x" * (MAX_UPLOAD_BYTES + 10) + b"\ndate_demande: 2018-03-12\n"
    status, _h, page = browser.upload("cas.yaml", big)
    assert status == 413 and "trop gros" in page


# --- the token rule -------------------------------------------------------------------------------------


def test_with_a_token_the_page_asks_for_it_and_keeps_a_hash_in_a_strict_cookie(guarded):
    client = Browser(guarded)
    status, headers, _page = client.get("/")
    assert status == 303 and headers["location"] == "/connexion"
    status, _h, page = client.get("/connexion")
    assert status == 200 and 'type="password"' in page
    status, _h, page = client.post("/connexion", {"csrf": client.csrf, "jeton": "mauvais"})
    assert status == 401 and "jeton invalide" in page
    status, headers, _page = client.post("/connexion", {"csrf": client.csrf, "jeton": TOKEN})
    assert status == 303
    session = [c for c in headers.get_all("set-cookie") if c.startswith("fundrules_session=")][0]
    assert "HttpOnly" in session and "SameSite=strict" in session and TOKEN not in session
    status, _h, page = client.get("/")
    assert status == 200 and hidden(page, "fait") == "date_demande"


def test_with_a_token_the_api_header_also_opens_the_page(guarded):
    client = Browser(guarded)
    assert client.get("/", {"Authorization": f"Bearer {TOKEN}"})[0] == 200
    assert client.get("/", {"Authorization": "Bearer autre"})[0] == 303


def test_with_a_token_a_form_without_it_is_refused(guarded):
    client = Browser(guarded)
    client.get("/connexion")
    status, _h, page = client.post("/entretien", {"csrf": client.csrf, "etat": "", "action": "reprendre"})
    assert status == 401 and "Connexion" in page
    assert client.post("/cas.yaml", {"csrf": client.csrf, "etat": ""})[0] == 401
    assert client.upload("cas.yaml", CDD.read_bytes())[0] == 401


def test_logout_forgets_the_session(guarded):
    client = Browser(guarded)
    client.get("/connexion")
    client.post("/connexion", {"csrf": client.csrf, "jeton": TOKEN})
    assert client.get("/")[0] == 200
    status, headers, _page = client.post("/deconnexion", {"csrf": client.csrf})
    assert status == 303 and headers["location"] == "/connexion"
    assert client.get("/")[0] == 303


def test_without_a_token_the_login_page_says_the_service_is_open(server):
    status, _h, page = Browser(server).get("/connexion")
    assert status == 200 and "n'a pas de jeton" in page and 'type="password"' not in page


def test_guessing_the_token_is_stopped_after_ten_failures_even_for_the_right_token(python_engine):
    from fundrules.http import create_app

    running = Server(create_app(python_engine, token=TOKEN))
    try:
        client = Browser(running)
        client.get("/connexion")
        for _ in range(10):
            assert client.post("/connexion", {"csrf": client.csrf, "jeton": "essai"})[0] == 401
        status, headers, page = client.post("/connexion", {"csrf": client.csrf, "jeton": TOKEN})
        assert status == 429 and "essais de jeton depuis cette adresse" in page
        assert 500 < int(headers["retry-after"]) <= 600
        assert "fundrules_session" not in client.cookies
    finally:
        running.stop()


PREFIX = "/conseil"


@pytest.fixture(scope="module")
def prefixed(python_engine):
    """The page behind a reverse proxy's sub-path (`uvicorn --root-path /conseil`), with a token: the
    proxy takes `/conseil` off the path it forwards, so requests here go to `/…`, and every link the
    browser follows must carry `/conseil` again."""
    from fundrules.http import create_app

    running = Server(create_app(python_engine, token=TOKEN), root_path=PREFIX)
    yield running
    running.stop()


def _links(page: str) -> list[str]:
    return re.findall(r'(?:href|action|src)="([^"#]+)"', page)


def test_under_a_path_prefix_every_link_form_redirect_and_cookie_keeps_the_prefix(prefixed):
    client = Browser(prefixed)
    status, headers, _page = client.get("/")
    assert status == 303 and headers["location"] == f"{PREFIX}/connexion"
    status, headers, page = client.get("/connexion")
    assert status == 200 and _links(page)
    assert all(link.startswith(f"{PREFIX}/") for link in _links(page)), _links(page)
    csrf_cookie = [c for c in headers.get_all("set-cookie") if c.startswith("fundrules_csrf=")][0]
    assert f"Path={PREFIX}/" in csrf_cookie
    status, headers, _page = client.post("/connexion", {"csrf": client.csrf, "jeton": TOKEN})
    assert status == 303 and headers["location"] == f"{PREFIX}/"
    session = [c for c in headers.get_all("set-cookie") if c.startswith("fundrules_session=")][0]
    assert f"Path={PREFIX}/" in session
    status, _h, page = client.get("/")
    assert status == 200 and hidden(page, "fait") == "date_demande"
    links = _links(page)
    assert f"{PREFIX}/entretien" in links and f"{PREFIX}/static/web.css" in links
    assert all(link.startswith(f"{PREFIX}/") for link in links), links
    status, _h, css = client.get("/static/web.css")
    assert status == 200 and "{" in css
    status, headers, _page = client.post("/deconnexion", {"csrf": client.csrf})
    assert status == 303 and headers["location"] == f"{PREFIX}/connexion"


def test_a_bug_in_a_page_is_a_french_html_page_without_the_error_text(server, monkeypatch):
    import fundrules.web.routes as routes

    def broken(*_args, **_kwargs):
        raise RuntimeError("secret du cas 1985")

    monkeypatch.setattr(routes, "page_context", broken)
    status, headers, page = Browser(server).get("/")
    assert status == 500 and headers["content-type"].startswith("text/html")
    assert "rreur interne du service" in page and "secret" not in page and "RuntimeError" not in page
    assert headers["x-content-type-options"] == "nosniff"


# --- the detail view and the synthesis: the library's own texts ---------------------------------------


def test_the_detail_view_is_the_full_answer_and_the_plans(browser, python_engine):
    import html

    from fundrules.report import render_text
    from fundrules.report.plan import render_plan_text

    case = load_case(CDD)
    _s, _h, page = browser.upload(CDD.name, CDD.read_bytes())
    status, headers, detail = browser.post("/detail", {"csrf": browser.csrf, "etat": hidden(page, "etat")})
    assert status == 200 and headers["content-security-policy"]
    shown = [html.unescape(text) for text in re.findall(r'<pre class="report">(.*?)</pre>', detail, re.S)]
    evaluation = python_engine.evaluate(case)
    plan = python_engine.plan(case)
    assert shown[0] == render_text(evaluation, width=100, region=case.region)
    assert shown[1] == render_plan_text(plan, width=100)


def test_a_detail_without_a_date_is_refused_in_french(browser):
    status, _h, page = browser.post("/detail", {"csrf": browser.csrf, "etat": ""})
    assert status == 422 and "sans date de demande" in page.lower()


def _cli_entries(text: str) -> list[str]:
    entries: list[str] = []
    for line in text.rstrip("\n").split("\n"):
        if not line.strip() or line.startswith("Tout le détail"):
            continue
        if line.startswith(("  - ", "  -> ")) or not line.startswith(" ") or not entries:
            entries.append(line.strip())
        else:
            entries[-1] += " " + line.strip()
    marks = ("[OK] ", "[X] ", "[?] ", "[--] ", "- ", "-> ")
    return [" ".join(next((e[len(m) :] for m in marks if e.startswith(m)), e).split()) for e in entries]


def _section_entries(sections) -> list[str]:
    entries: list[str] = []
    for section in sections:
        lines = list(section.lines)
        if section.title and section.text:
            entries.append(f"{section.title} : {section.text}")
        elif section.title:
            entries.append(section.title)
        entries += lines
        entries += [" ".join([item.text, *item.notes]) for item in section.items]
    return [" ".join(e.split()) for e in entries]


def test_the_page_synthesis_reads_as_check_prints_it_for_every_library_case(python_engine):
    """The page splits the synthesis text `check` prints; over the whole library, every entry the
    terminal shows (at 100 columns) is on the page, in the same order, whole where the terminal cut it."""
    from fundrules.library import CaseFiles
    from fundrules.report.synthesis import render_synthesis, synthesis_of
    from fundrules.triage import triage_line
    from fundrules.web.synthesis_html import synthesis_sections

    count = 0
    for library_case in CaseFiles([ROOT / "cases"]):
        case = library_case.case
        evaluation, plan, amounts = synthesis_of(python_engine, case)
        note = triage_line(case)
        printed = _cli_entries(render_synthesis(evaluation, plan, amounts, width=100, region=case.region, note=note))
        shown = _section_entries(synthesis_sections(evaluation, plan, amounts, case.region, note))
        assert len(shown) == len(printed), library_case.path
        for page, cli in zip(shown, printed, strict=True):
            assert page.startswith(cli[:-1].rstrip()) if cli.endswith("…") else page == cli, (library_case.path, cli)
        count += 1
    assert count >= 60
