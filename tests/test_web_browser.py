"""The counsellors' page in a real browser (issue 28): headless Chromium, driven by Selenium, against
`fundrules serve` started as a subprocess on a free loopback port.

Three situations of the case library are walked from an empty page, answering each question the
intake asks from the case's own facts (buttons for yes/no and lists, JJ/MM/AAAA dates, numbers with a
French comma, "Je ne sais pas" for a fact the case does not give), with a wrong date and a "Retour" on
the way. At the end the page's synthesis must read as `fundrules check` prints it for the same facts.

Skipped, with the reason, when Selenium, Chromium or chromedriver is missing. Set
FUNDRULES_WEB_SCREENSHOTS=<folder> to keep screenshots of each situation at 1280 and 390 px."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
import yaml

from .conftest import ROOT, RULESETS

webdriver = pytest.importorskip("selenium.webdriver", reason="selenium n'est pas installé (extra test)")
pytest.importorskip("fastapi")
from selenium.common.exceptions import NoSuchElementException, WebDriverException  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402

from fundrules.derived import add_derived  # noqa: E402
from fundrules.fact_questions import QUESTIONS  # noqa: E402
from fundrules.facts import FACTS  # noqa: E402
from fundrules.library import load_library_case  # noqa: E402

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
DRIVER = shutil.which("chromedriver")
if CHROMIUM is None or DRIVER is None:
    pytest.skip(
        "navigateur absent : installer chromium et chromedriver (Debian : apt-get install chromium-driver)",
        allow_module_level=True,
    )

SITUATIONS = [
    "cases/etude-territorialisee/2016-T4/cdd-trop-ancien.yaml",
    "cases/24/2019-T2/cadre-demission-avant-la-reforme.yaml",
    "cases/etude-territorialisee/2017-T1/jeune-metier-en-tension.yaml",
]
MAX_QUESTIONS = 80
RULES = str(RULESETS)  # this tree's rulesets, for the service and the CLI alike
MARKS = ("[OK] ", "[X] ", "[?] ", "[--] ", "- ", "-> ")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def base_url():
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "fundrules", "serve", "--port", str(port), "--engine", "python", "--rulesets", RULES],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env={**os.environ, "FUNDRULES_API_TOKEN": ""},
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(url + "/healthz", timeout=2).read()
            break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                pytest.fail("le service ne démarre pas : " + process.stderr.read().decode()[-2000:])
            time.sleep(0.2)
    yield url
    process.terminate()
    try:
        _out, said = process.communicate(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        _out, said = process.communicate()
    # nothing of the person is logged: no request line, no answer, no state (access log off by default)
    said = said.decode("utf-8", "replace")
    assert "POST" not in said and "etat" not in said and "date_demande" not in said, said


def _chromium(javascript: bool = True):
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    options = Options()
    options.binary_location = CHROMIUM
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1280,900", "--lang=fr"):
        options.add_argument(argument)
    if not javascript:  # the page's own script blocked, as on a workstation that forbids it
        options.add_experimental_option("prefs", {"profile.managed_default_content_settings.javascript": 2})
    try:
        driver = webdriver.Chrome(service=Service(DRIVER), options=options)
    except WebDriverException as error:
        pytest.skip(f"Chromium ne démarre pas sous chromedriver : {error.msg}")
    driver.implicitly_wait(0)
    return driver


@pytest.fixture(scope="module")
def browser():
    driver = _chromium()
    yield driver
    driver.quit()


@pytest.fixture(scope="module")
def browser_without_javascript():
    driver = _chromium(javascript=False)
    yield driver
    driver.quit()


def _value(driver, css: str) -> str | None:
    try:
        return driver.find_element(By.CSS_SELECTOR, css).get_attribute("value")
    except NoSuchElementException:
        return None


def _typed(value) -> str:
    """A value as a counsellor types it: JJ/MM/AAAA, a French decimal comma."""
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, float):
        return str(value).replace(".", ",")
    return str(value)


def _click(driver, button) -> None:
    """Press a button and wait for the next page (every answer is one submitted form)."""
    _mark_page(driver)
    button.click()
    _wait_for_next_page(driver)


def _mark_page(driver) -> None:
    driver.execute_script("window.fundrulesOldPage = true;")


def _wait_for_next_page(driver) -> None:
    """Until a new document (without the mark the old one carried) is fully loaded."""
    from selenium.webdriver.support.ui import WebDriverWait

    script = "return window.fundrulesOldPage === undefined && document.readyState === 'complete';"
    WebDriverWait(driver, 60, ignored_exceptions=(WebDriverException,)).until(lambda d: d.execute_script(script))


def _type(driver, text: str) -> None:
    """Type the answer and press Enter, keyboard only: the form's first button, "Valider", sends it."""
    from selenium.webdriver.common.keys import Keys

    field = driver.find_element(By.ID, "reponse")
    assert driver.switch_to.active_element == field  # the field has the focus on arrival
    field.clear()
    field.send_keys(text)
    _mark_page(driver)
    field.send_keys(Keys.ENTER)
    _wait_for_next_page(driver)


def _answer(driver, path: str, value) -> None:
    kind = FACTS[path].kind
    if kind == "bool":
        _click(driver, driver.find_element(By.CSS_SELECTOR, f"button[name=reponse][value={'oui' if value else 'non'}]"))
    elif kind == "enum":
        label = QUESTIONS[path].labels.get(value, value)
        buttons = driver.find_elements(By.CSS_SELECTOR, "fieldset button[name=reponse]")
        [button] = [b for b in buttons if b.text == label[:1].upper() + label[1:]]
        _click(driver, button)
    else:
        _type(driver, _typed(value))


def _skip(driver) -> None:
    _click(driver, driver.find_element(By.CSS_SELECTOR, "button[value=nsp]"))


def _set(data: dict, path: str, value) -> None:
    if "." in path:
        section, name = path.split(".", 1)
        data.setdefault(section, {})[name] = value
    else:
        data[path] = value


def _page_entries(driver) -> list[str]:
    """The synthesis on the page, one entry per heading, sentence or item, in reading order."""
    entries = []
    for part in driver.find_elements(By.CSS_SELECTOR, ".synthesis .part"):
        heads = [h.text for h in part.find_elements(By.CSS_SELECTOR, "h3")]
        lines = [p.text for p in part.find_elements(By.CSS_SELECTOR, ":scope > p")]
        if heads and lines:
            entries.append(f"{heads[0]} : {lines.pop(0)}")
        elif heads:
            entries.append(heads[0])
        entries += lines
        entries += [li.text for li in part.find_elements(By.CSS_SELECTOR, "li")]
    return [" ".join(e.split()) for e in entries]


def _cli_entries(text: str, source: str) -> list[str]:
    """`fundrules check`'s synthesis, its wrapped lines joined back into entries, marks and the
    closing hint left out."""
    entries: list[str] = []
    for line in text.rstrip("\n").split("\n"):
        if not line.strip() or line.startswith("Tout le détail"):
            continue
        new_item = line.startswith(("  - ", "  -> ")) or not line.startswith(" ")
        if new_item or not entries:
            entries.append(line.strip())
        else:
            entries[-1] += " " + line.strip()
    out = []
    for entry in entries:
        entry = entry.replace(f" — {source}", "")
        for mark in MARKS:
            if entry.startswith(mark):
                entry = entry[len(mark) :]
                break
        out.append(" ".join(entry.split()))
    return out


def _assert_same_synthesis(page: list[str], cli: list[str]) -> None:
    assert len(page) == len(cli), (page, cli)
    for shown, printed in zip(page, cli, strict=True):
        if printed.endswith("…"):  # the terminal cut a long item; the page shows it whole
            assert shown.startswith(printed[:-1].rstrip()), (shown, printed)
        else:
            assert shown == printed


@pytest.mark.parametrize("situation", SITUATIONS)
def test_a_library_situation_walked_in_the_browser_ends_as_check_says(browser, base_url, situation, tmp_path):
    _walk(browser, base_url, situation, tmp_path)
    _click(browser, browser.find_element(By.XPATH, "//button[contains(., 'Détail et plans')]"))
    assert "Plans de financement" in browser.find_element(By.TAG_NAME, "main").text
    assert browser.find_element(By.CSS_SELECTOR, "button.print").is_displayed()  # added by our script


def test_the_page_works_without_javascript(browser_without_javascript, base_url, tmp_path):
    driver = browser_without_javascript
    _walk(driver, base_url, SITUATIONS[0], tmp_path, screenshots=False)
    _click(driver, driver.find_element(By.XPATH, "//button[contains(., 'Détail et plans')]"))
    assert "Plans de financement" in driver.find_element(By.TAG_NAME, "main").text
    # the print button is shown by our script only: still hidden, so the script did not run
    assert not driver.find_element(By.CSS_SELECTOR, "button.print").is_displayed()


def _walk(browser, base_url: str, situation: str, tmp_path: Path, screenshots: bool = True) -> None:
    library_case = load_library_case(ROOT / situation)
    known = {}
    from fundrules.case import case_facts

    facts = case_facts(library_case.case)
    day = facts["date_demande"]
    known.update(facts)
    add_derived(known, day)  # a counsellor who knows the birth date knows the age

    browser.get(base_url + "/")
    assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "fr"
    given: dict = {}
    previous_fact = None
    wrong_date_done = went_back = False
    asked = 0
    while asked < MAX_QUESTIONS:
        fact = _value(browser, "input[name=fait]")
        if fact is None:
            break
        asked += 1
        kind = FACTS[fact].kind
        if kind == "date" and fact in known and not wrong_date_done:
            # a date that is not in the calendar: refused next to the field, with the CLI's words
            _type(browser, "31/02/" + str(known[fact].year))
            error = browser.find_element(By.ID, "erreur")
            assert error.get_attribute("role") == "alert"
            assert f"« 31/02/{known[fact].year} » n'est pas une date du calendrier" in error.text
            field = browser.find_element(By.ID, "reponse")
            assert field.get_attribute("aria-invalid") == "true"
            assert "erreur" in field.get_attribute("aria-describedby").split()
            assert _value(browser, "input[name=fait]") == fact  # the same question, asked again
            wrong_date_done = True
        if fact in known:
            _answer(browser, fact, known[fact])
            _set(given, fact, known[fact])
        else:
            _skip(browser)
        if asked == 3 and not went_back:
            # "Retour" undoes exactly the last step: the same question comes back, its answer forgotten
            _click(browser, browser.find_element(By.CSS_SELECTOR, "button[value=retour]"))
            assert _value(browser, "input[name=fait]") == fact
            assert "Retour à la question précédente." in browser.find_element(By.CSS_SELECTOR, ".notice").text
            went_back = True
            if fact in known:
                _answer(browser, fact, known[fact])
            else:
                _skip(browser)
        previous_fact = fact
    assert previous_fact is not None and wrong_date_done and went_back
    assert asked < MAX_QUESTIONS, "l'entretien ne finit pas"
    assert "Plus aucune question ne peut changer une réponse." in browser.page_source

    state = json.loads(_value(browser, "input[name=etat]"))
    assert state["data"] == json.loads(json.dumps(given, default=str))  # the answers given, nothing else

    case_file = tmp_path / "cas.yaml"
    case_file.write_text(yaml.safe_dump(json.loads(json.dumps(given, default=str)), allow_unicode=True))
    printed = subprocess.run(
        [sys.executable, "-m", "fundrules", "check", str(case_file), "--engine", "python", "--rulesets", RULES],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "COLUMNS": "100"},
    )
    assert printed.returncode == 0, printed.stderr
    _assert_same_synthesis(_page_entries(browser), _cli_entries(printed.stdout, str(case_file)))

    folder = os.environ.get("FUNDRULES_WEB_SCREENSHOTS")
    if folder and screenshots:
        _screenshots(browser, Path(folder), Path(situation).stem)


def _screenshots(driver, folder: Path, name: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for width in (1280, 390):
        driver.set_window_size(width, 900)
        height = driver.execute_script("return document.documentElement.scrollHeight")
        driver.set_window_size(width, min(int(height) + 140, 6000))
        driver.save_screenshot(str(folder / f"{name}-{width}.png"))
    driver.set_window_size(1280, 900)
