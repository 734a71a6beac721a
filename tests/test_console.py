"""The web console in a real browser: Debian's chromium, driven by Selenium, against a live server training a tiny BERT.

The tests run in order on one browser and one app, as a person would use the console: sign in, author, label by
selecting words, train, test, publish, review, batch test; then hostile text. Each main page is saved as a
screenshot in the test output (`<pytest basetemp>/console/`, or the folder in CONSOLE_SCREENSHOTS, e.g.
`CONSOLE_SCREENSHOTS=docs/console` to refresh the README's pictures). `make browser` installs chromium.
"""
import json
import os
import shutil
import tempfile
from pathlib import Path

import pytest
import requests

from conftest import AUTHORING, unique_name

webdriver = pytest.importorskip("selenium.webdriver")
from selenium.common.exceptions import (NoAlertPresentException, StaleElementReferenceException,  # noqa: E402
                                        TimeoutException)
from selenium.webdriver.common.action_chains import ActionChains  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support.ui import Select, WebDriverWait  # noqa: E402

CHROMIUM, CHROMEDRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-dev-shm-usage",
         "--disable-background-networking", "--disable-component-update", "--disable-sync", "--window-size=1280,900")
PREDICTION_V3 = "/luis/prediction/v3.0"
PUBLIC_URL = "https://luis.example.org/nlu"  # what LUISLITE_PUBLIC_URL says clients call, not what the browser does
UNLABELED = """return [...document.querySelectorAll('input, select, textarea, button')].filter((c) =>
    !(c.labels && c.labels.length) && !c.getAttribute('aria-label') && !c.textContent.trim()).map((c) => c.outerHTML)"""
CATCH_DOWNLOADS = """window.downloads = [];
const objectUrl = URL.createObjectURL;
URL.createObjectURL = (blob) => { const url = objectUrl(blob); window.downloads.push({ url, blob }); return url; };
HTMLAnchorElement.prototype.click = function () {  // what the link would save, kept instead of saved
  const made = window.downloads.find((d) => d.url === this.href);
  if (made) made.name = this.download;
};"""
READ_DOWNLOADS = """const done = arguments[arguments.length - 1];
Promise.all(window.downloads.filter((d) => d.name).map(async (d) => [d.name, d.blob.type, await d.blob.text()]))
  .then(done);"""
HOSTILE = '<script>window.hacked = 1</script><img src=x onerror="window.hacked = 2"> & friends'


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    if not (Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()):
        if os.environ.get("CI"):
            pytest.fail("chromium and chromium-driver are missing: `make browser` installs them")
        pytest.skip("chromium and chromium-driver are missing: `make browser` installs them")
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in FLAGS:
        options.add_argument(flag)
    profile = tempfile.mkdtemp(prefix="luislite-chromium-")
    options.add_argument(f"--user-data-dir={profile}")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(options=options, service=Service(CHROMEDRIVER))
    driver.implicitly_wait(0)
    yield driver
    driver.quit()
    shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture(scope="module")
def shots(tmp_path_factory) -> Path:
    folder = Path(os.environ.get("CONSOLE_SCREENSHOTS") or tmp_path_factory.getbasetemp() / "console")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


class Page:
    """The console in the browser: waits for what a person would look for, by visible text and labels."""

    def __init__(self, driver, server, shots: Path):
        self.driver, self.server, self.shots = driver, server, shots

    def wait(self, condition, timeout=30, message=""):
        try:
            wait = WebDriverWait(self.driver, timeout, poll_frequency=0.1,
                                 ignored_exceptions=(StaleElementReferenceException,))
            return wait.until(lambda d: condition(), message)
        except TimeoutException:
            self.shot("failure")  # what the page showed instead
            raise

    def find(self, css, text=None, within=None, timeout=15):
        """The first visible element matching `css` (and containing `text`)."""
        def match():
            for element in (within or self.driver).find_elements(By.CSS_SELECTOR, css):
                if element.is_displayed() and (text is None or text in element.text):
                    return element
            return None
        return self.wait(match, timeout, f"no {css} with {text!r}")

    def button(self, text, within=None):
        return self.find("button", text, within)

    def fill(self, name, value, within=None):
        field = self.find(f"[name='{name}']", within=within)
        field.clear()
        field.send_keys(value)
        return field

    @staticmethod
    def choose(select, option):
        Select(select).select_by_visible_text(option)

    def go(self, page):
        self.find("nav a", page).click()
        self.find("main#page h1", page)

    def status_text(self, timeout=90, until=("Trained",)):
        return self.wait(lambda: next((s for s in until if s in self.find("#train-status").text), None), timeout)

    def shot(self, name):
        """A screenshot of the whole page (up to 1600 px high), once every form control on it has a label."""
        assert not self.driver.execute_script(UNLABELED), f"form controls without a label on {name}"
        height = self.driver.execute_script("return document.documentElement.scrollHeight")
        self.driver.set_window_size(1280, min(max(height, 900), 1600))
        self.driver.save_screenshot(str(self.shots / f"{name}.png"))
        self.driver.set_window_size(1280, 900)

    def no_script_ran(self):
        assert self.driver.execute_script("return window.hacked === undefined"), "hostile text ran as script"
        with pytest.raises(NoAlertPresentException):
            self.driver.switch_to.alert.accept()
        assert not self.driver.find_elements(By.CSS_SELECTOR, "main img, main script")

    def download(self, button) -> tuple[str, str, str]:
        """(file name, type, content) of what clicking `button` offers as a download."""
        self.driver.execute_script(CATCH_DOWNLOADS)
        button.click()
        self.wait(lambda: self.driver.execute_async_script(READ_DOWNLOADS), message="no download")
        [download] = self.driver.execute_async_script(READ_DOWNLOADS)
        return tuple(download)

    def errors_in_console(self):
        return [e["message"] for e in self.driver.get_log("browser")
                if e["level"] == "SEVERE" and "Failed to load resource" not in e["message"]]


@pytest.fixture(scope="module")
def console_server(start_server, tiny_model):
    """A tiny-BERT server behind a public URL of its own (the endpoint URLs publishing writes), whose refinements
    take long enough (3000 steps) for the page to show one."""
    return start_server(LUISLITE_BASE_MODEL=str(tiny_model), LUISLITE_TRAIN_THREADS="1", LUISLITE_PUBLIC_URL=PUBLIC_URL,
                        LUISLITE_TRAIN_RECIPE='{"min_steps": 3000}')


@pytest.fixture(scope="module")
def page(browser, console_server, shots):
    return Page(browser, console_server, shots)


@pytest.fixture(scope="module")
def state():
    return {}


def test_sign_in_keeps_the_key_in_the_tab_only(page):
    page.driver.get(page.server.url + "/")
    page.find("#key").send_keys("00000000-0000-4000-8000-000000000000")
    page.button("Sign in").click()
    assert "not an authoring key" in page.find("[role=alert]").text
    page.shot("sign-in")
    field = page.find("#key")
    field.clear()
    field.send_keys(page.server.key)
    page.button("Sign in").click()
    page.find("h1", "My apps")
    driver = page.driver
    assert driver.execute_script("return sessionStorage.getItem('luislite.authoringKey')") == page.server.key
    assert page.server.key not in driver.current_url and not driver.get_cookies()
    assert driver.execute_script("return localStorage.length") == 0
    page.button("Sign out").click()
    page.find("#key")
    assert driver.execute_script("return sessionStorage.length") == 0
    driver.execute_script("sessionStorage.setItem('luislite.authoringKey', '00000000-0000-4000-8000-000000000000')")
    driver.refresh()  # a key the service refuses (e.g. since changed) leads back to signing in
    page.find("#key")
    assert driver.execute_script("return sessionStorage.length") == 0
    page.find("#key").send_keys(page.server.key)
    page.button("Sign in").click()
    page.find("h1", "My apps")


def test_create_an_app_add_entities_intents_and_utterances(page, state):
    state["name"] = unique_name("travel")
    page.fill("name", state["name"])
    page.button("Create app").click()
    page.find("main#page h1", "Intents")
    state["app"] = page.driver.current_url.split("#/apps/")[1].split("/")[0]

    page.go("Entities")
    learned = page.find("section[aria-labelledby='kind-entities']")
    page.fill("name", "destination", within=learned)
    page.fill("children", "airport", within=learned)
    page.button("Create machine-learned entity", within=learned).click()
    page.find("td", "airport", within=learned)
    lists = page.find("section[aria-labelledby='kind-closedlists']")
    page.fill("name", "city", within=lists)
    page.button("Create list entity", within=lists).click()
    page.fill("canonicalForm", "Paris", within=lists)
    page.fill("list", "paris, city of light", within=lists)
    page.button("Add sublist", within=lists).click()
    page.find("td", "Paris = paris, city of light", within=lists)
    page.fill("canonicalForm", "Rome", within=lists)  # a sublist renamed, its synonyms changed, then removed
    page.fill("list", "rome", within=lists)
    page.button("Add sublist", within=lists).click()
    page.find("button[aria-label='Edit sublist Rome']", within=lists).click()
    editing = page.find(".sublists .editing", within=lists)
    page.fill("canonicalForm", "Roma", within=editing)
    page.fill("list", "rome, the eternal city", within=editing)
    page.button("Save", within=editing).click()
    page.find("li", "Roma = rome, the eternal city", within=lists)
    page.find("button[aria-label='Remove sublist Roma']", within=lists).click()
    page.wait(lambda: "Roma" not in lists.text)
    [city] = requests.get(f"{page.server.url}{AUTHORING}/apps/{state['app']}/versions/0.1/closedlists",
                          headers={"Ocp-Apim-Subscription-Key": page.server.key}, timeout=10).json()
    assert [(s["canonicalForm"], s["list"]) for s in city["subLists"]] == [("Paris", ["paris", "city of light"])]

    page.go("Intents")
    page.fill("name", "BookFlight")
    page.button("Create intent").click()
    page.find("a", "BookFlight").click()
    for text in ("fly me to new york", "book a flight to paris", "i need a plane ticket to london", HOSTILE):
        page.fill("text", text)
        page.button("Add utterance").click()
        page.find("li.utterance", text.split("<")[0] or "friends")
    assert page.find("li.utterance", "& friends").text.startswith(HOSTILE)
    page.no_script_ran()


def test_label_an_entity_by_selecting_words(page, state):
    utterance = page.find("li.utterance", "fly me to new york")
    first = page.find("[data-token]", "new", within=utterance)
    last = page.find("[data-token]", "york", within=utterance)
    ActionChains(page.driver).click_and_hold(first).move_to_element(last).move_by_offset(5, 0).release().perform()
    picker = page.find("form.picker")
    options = [o.text for o in picker.find_elements(By.CSS_SELECTOR, "select[name=entity] option")]
    assert options == ["destination", "destination › airport"]
    page.button("Label", within=picker).click()
    page.find(".chip", "destination: new york")
    page.shot("intent-utterances")
    examples = requests.get(f"{page.server.url}{AUTHORING}/apps/{state['app']}/versions/0.1/examples",
                            headers={"Ocp-Apim-Subscription-Key": page.server.key}, timeout=10).json()
    labeled = next(e for e in examples if e["text"] == "fly me to new york")
    assert [(lab["entityName"], lab["startTokenIndex"], lab["endTokenIndex"]) for lab in labeled["entityLabels"]] == \
        [("destination", 3, 4)]

    utterance = page.find("li.utterance", "book a flight to paris")  # by keyboard: Label words…, then word range
    page.button("Label words…", within=utterance).click()
    picker = page.find("form.picker", within=utterance)
    first, last, entity = picker.find_elements(By.CSS_SELECTOR, "select")
    last.send_keys("5")
    first.send_keys("5")
    page.choose(entity, "destination › airport")  # a child is labeled inside its parent's label
    page.button("Label", within=picker).click()
    assert "Label the words with destination first" in page.find("[role=alert]", within=utterance).text
    page.choose(entity, "destination")
    page.button("Label", within=picker).click()
    page.find(".chip", "destination: paris")
    utterance = page.find("li.utterance", "book a flight to paris")
    page.button("Label words…", within=utterance).click()
    first, last, entity = page.find("form.picker", within=utterance).find_elements(By.CSS_SELECTOR, "select")
    last.send_keys("5")
    first.send_keys("5")
    page.choose(entity, "destination › airport")
    page.button("Label", within=utterance).click()
    page.find(".chip[data-depth='1']", "airport: paris")
    page.find("button[aria-label='Remove label destination']",
              within=page.find("li.utterance", "book a flight to paris")).click()  # its child goes with it
    page.wait(lambda: "paris" not in " ".join(c.text for c in page.driver.find_elements(By.CSS_SELECTOR, ".chip")))


def test_entities_of_every_kind_and_roles(page, state):
    page.go("Entities")
    kinds = {kind: page.find(f"section[aria-labelledby='kind-{kind}']") for kind in
             ("entities", "regexentities", "prebuilts", "patternanyentities", "compositeentities")}
    page.fill("name", "flight_number", within=kinds["regexentities"])
    page.fill("regexPattern", "[A-Z]{2}[0-9]{3,4}", within=kinds["regexentities"])
    page.button("Create regular expression entity", within=kinds["regexentities"]).click()
    page.find("td", "[A-Z]{2}[0-9]{3,4}", within=kinds["regexentities"])
    page.choose(page.find("select[name=name]", within=kinds["prebuilts"]), "number")
    page.button("Add prebuilt entity", within=kinds["prebuilts"]).click()
    page.find("td", "number", within=kinds["prebuilts"])
    page.fill("name", "Traveller", within=kinds["patternanyentities"])
    page.button("Create pattern.any entity", within=kinds["patternanyentities"]).click()
    page.fill("explicitListItem", "the big boss", within=kinds["patternanyentities"])
    page.button("Add item", within=kinds["patternanyentities"]).click()
    page.find("td", "the big boss", within=kinds["patternanyentities"])
    page.fill("name", "Trip", within=kinds["compositeentities"])
    page.fill("children", "destination", within=kinds["compositeentities"])
    page.button("Create composite entity", within=kinds["compositeentities"]).click()
    page.fill("name", "number", within=page.find("td form", within=kinds["compositeentities"]))
    page.button("Add child", within=kinds["compositeentities"]).click()
    page.find("td", "destination, number", within=kinds["compositeentities"])
    page.fill("name", "origin", within=page.find("td form", "Add role", within=kinds["entities"]))
    page.button("Add role", within=kinds["entities"]).click()
    page.find(".chip", "origin", within=kinds["entities"])
    page.shot("entities")
    page.go("Intents")
    page.find("a", "BookFlight").click()
    page.button("Label words…", within=page.find("li.utterance", "london")).click()
    options = [o.text for o in page.find("form.picker select[name=entity]").find_elements(By.TAG_NAME, "option")]
    assert options == ["destination", "destination (role origin)", "destination › airport"]
    page.button("Cancel", within=page.find("form.picker")).click()


def test_train_then_see_predictions_and_the_test_panel(page, state):
    page.button("Train").click()
    assert page.status_text() == "Trained"
    page.find(".predicted", "predicted:")  # each utterance shows the trained model's intent
    # Train answered with the quick model: the status says so until the refined one replaces it
    assert page.find("#train").is_enabled()
    page.status_text(until=("Trained (quick model), refining… step",))
    page.wait(lambda: page.find("#train-status").text == "Trained", 120, "the refinement never ended")

    page.go("Test")
    query = page.find("#test-query")
    query.send_keys("fly to paris tomorrow")
    page.button("Test").click()
    prediction = page.find("section.prediction")
    page.find(".top-intent", within=prediction)
    row = page.find("table.entities tr", "city", within=prediction)
    assert row.text.split() == ["city", "paris", "7", "5"]
    assert page.find("mark", "paris", within=prediction).text.startswith("paris")
    page.find("summary", "Raw v3 JSON", within=prediction).click()
    raw = json.loads(page.find("pre.json", within=prediction).text)
    assert raw["query"] == "fly to paris tomorrow" and "city" in raw["prediction"]["entities"]
    page.shot("test-panel")


def test_publish_shows_the_endpoint_and_a_curl_line(page, state):
    page.go("Publish")
    page.button("Publish").click()
    slot = page.find("section.slot", "production")
    url = f"{PUBLIC_URL}{PREDICTION_V3}/apps/{state['app']}/slots/production/predict"
    assert page.find("code.endpoint", within=slot).text == url
    assert page.find("code.endpoint-v2", within=slot).text == f"{PUBLIC_URL}/luis/v2.0/apps/{state['app']}"
    assert f'curl -G "{url}"' in page.find("pre.curl", within=slot).text
    page.shot("publish")
    page.go("Test")  # the version being edited, side by side with the published slot
    page.find("#test-query").send_keys("fly to paris")
    page.choose(page.find("select"), "production slot")
    page.button("Test").click()
    page.find("section.prediction h2", "Published production slot")
    assert [h.text for h in page.driver.find_elements(By.CSS_SELECTOR, "section.prediction h2")] == \
        ["Version 0.1", "Published production slot"]
    for text in ("take me to rome", "a ticket to paris please"):  # endpoint traffic, logged for review
        answer = requests.get(url.replace(PUBLIC_URL, page.server.url), params={"query": text, "log": "true"},
                              headers={"Ocp-Apim-Subscription-Key": page.server.endpoint_key}, timeout=30)
        assert answer.status_code == 200, answer.text


def test_accept_a_review_utterance_with_corrections(page, state):
    page.go("Review endpoint utterances")
    page.choose(page.find("#review-show"), "every logged utterance not yet labeled")  # the tiny model may be sure
    item = page.find("li.review-item", "take me to rome")
    page.choose(item.find_element(By.CSS_SELECTOR, "select"), "BookFlight")
    ActionChains(page.driver).double_click(page.find("[data-token]", "rome", within=item)).perform()
    page.choose(page.find("select[name=entity]", within=item), "destination")
    page.button("Label", within=page.find("form.picker", within=item)).click()
    page.find(".chip", "destination: rome", within=item)
    page.shot("review")
    page.button("Accept", within=item).click()
    page.wait(lambda: "take me to rome" not in page.find("main#page").text)
    page.button("Dismiss", within=page.find("li.review-item", "a ticket to paris please")).click()
    page.find("p", "Nothing to review.")
    examples = requests.get(f"{page.server.url}{AUTHORING}/apps/{state['app']}/versions/0.1/examples",
                            headers={"Ocp-Apim-Subscription-Key": page.server.key}, timeout=10).json()
    accepted = next(e for e in examples if e["text"] == "take me to rome")
    assert accepted["intentLabel"] == "BookFlight"
    assert [(lab["entityName"], lab["startTokenIndex"]) for lab in accepted["entityLabels"]] == [("destination", 3)]
    assert "a ticket to paris please" not in {e["text"] for e in examples}


def test_batch_test_report_with_charts(page, state, tmp_path):
    tests = [{"text": "fly me to paris", "intent": "BookFlight", "entities": [{"entity": "city", "startPos": 10,
                                                                              "endPos": 14}]},
             {"text": "book a flight to new york", "intent": "BookFlight", "entities": []},
             {"text": "what is the weather", "intent": "None", "entities": []}]
    path = state["batch"] = tmp_path / "batch.json"
    path.write_text(json.dumps(tests))
    page.go("Batch testing")
    page.find("input[type=file]").send_keys(str(path))
    page.button("Run").click()
    report = page.find("section.report", timeout=60)
    assert "Utterances\n3" in report.text
    columns = {th.text for th in report.find_elements(By.CSS_SELECTOR, "table.confusion thead th")}
    assert columns >= {"BookFlight", "None"}
    heat = [td.value_of_css_property("background-color") for td in report.find_elements(By.CSS_SELECTOR, "td.heat")]
    assert any(color not in ("rgba(0, 0, 0, 0)", "transparent") for color in heat)
    widths = [bar.get_attribute("style") for bar in report.find_elements(By.CSS_SELECTOR, ".bar > span")]
    assert widths and all(w.startswith("width:") for w in widths)
    page.find("table.scores th", "city", within=report)
    page.shot("batch-testing")
    assert not page.errors_in_console()


def test_compare_two_versions_on_one_batch_test(page, state):
    page.go("Versions")
    row = page.find("table.list tr", "0.1 (being edited)")
    page.fill("version", "0.2", within=row)
    page.button("Clone", within=row).click()
    page.find("a", "Edit 0.2").click()
    page.find("header.appbar", "version 0.2")
    page.button("Train").click()
    assert page.status_text() == "Trained"
    page.go("Batch testing")
    page.find("input[type=file]").send_keys(str(state["batch"]))
    page.choose(page.find("select"), "version 0.1")
    page.button("Run").click()
    report = page.find("section.report", timeout=60)
    assert "version 0.1" in page.find("p.legend", within=report).text
    assert report.find_elements(By.CSS_SELECTOR, ".bar.second > span")
    page.shot("batch-compare")
    page.choose(page.find("select"), "published production slot")  # what the endpoint serves (0.1) compared
    assert "version 0.1" in page.find("p.legend", within=report).text  # the report shown is still the last run's
    page.driver.execute_script("performance.clearResourceTimings()")
    page.button("Run").click()
    page.wait(lambda: "production slot" in page.find("section.report p.legend", timeout=60).text)
    assert "Utterances\n3" in page.find("section.report").text
    assert page.driver.execute_script("""return performance.getEntriesByType('resource').some((e) =>
        e.name.endsWith('/slots/production/batchtests'))""")  # the slot's batch test API


def test_export_downloads_the_version(page, state):
    page.go("Versions")
    row = page.find("table.list tr", "0.1")
    name, kind, content = page.download(page.button("Export JSON", within=row))
    exported = json.loads(content)
    assert (name, kind) == (f"{state['name']}-0.1.json", "application/json")
    assert exported["versionId"] == "0.1" and "BookFlight" in {i["name"] for i in exported["intents"]}
    name, kind, content = page.download(page.button("Export .lu", within=page.find("table.list tr", "0.1")))
    assert (name, kind) == (f"{state['name']}-0.1.lu", "text/plain")
    assert "# BookFlight" in content and "- fly me to {@destination=new york}" in content


def test_patterns_phrase_lists_and_settings(page, state):
    page.go("Patterns")
    page.fill("pattern", "fly me to {destination} [please]")
    page.choose(page.find("select[name=intent]"), "BookFlight")
    page.button("Add pattern").click()
    row = page.find("table.list tbody tr", "fly me to")
    assert row.text.startswith("fly me to {destination} [please] BookFlight")
    page.find("button[aria-label='Edit fly me to {destination} [please]']", within=row).click()
    page.fill("pattern", "fly me to {destination} now [please]", within=row)
    page.button("Save", within=row).click()
    page.find("table.list tbody tr", "fly me to {destination} now [please] BookFlight")
    page.go("Phrase lists")
    page.fill("name", "travel words")
    page.fill("phrases", "flight, plane, ticket")
    page.button("Create phrase list").click()
    row = page.find("table.list tbody tr", "flight,plane,ticket")
    page.find("button[aria-label='Edit travel words']", within=row).click()
    page.fill("phrases", "flight, plane, ticket, boarding pass", within=row)
    page.button("Save", within=row).click()
    page.find("table.list tbody tr", "travel words flight,plane,ticket,boarding pass")
    page.go("Settings")
    page.choose(page.find("select[name=NormalizePunctuation]"), "yes")
    page.button("Save version settings").click()
    base = f"{page.server.url}{AUTHORING}/apps/{state['app']}/versions/0.2"
    page.wait(lambda: {"name": "NormalizePunctuation", "value": "true"} in requests.get(
        f"{base}/settings", headers={"Ocp-Apim-Subscription-Key": page.server.key}, timeout=10).json())
    name, kind, content = page.download(page.button("Download query logs (CSV)"))
    assert (name, kind) == (f"{state['app']}_querylogs.csv", "text/csv")
    assert content.startswith('"Query","UTC DateTime","Response"') and '"take me to rome"' in content
    state["name"] = unique_name("voyage")
    page.fill("name", state["name"])
    page.button("Rename").click()
    page.find("header.appbar", state["name"])
    assert page.find("[name=name]").get_attribute("value") == state["name"]  # the form shows the new name
    assert f"…{page.server.key[-4:]}" in page.find("dl.facts").text and page.server.key not in page.find("main").text
    page.shot("settings")


def test_import_an_exported_app_as_lu(page, tmp_path):
    lu = tmp_path / "pizza.lu"
    lu.write_text("# OrderPizza\n- i want a {size=large} pizza\n- two pizzas please\n\n# None\n- hello\n\n@ ml size\n")
    page.driver.get(page.server.url + "/#/apps")
    page.find("input[type=file]").send_keys(str(lu))
    page.fill("appName", unique_name("pizza"))
    page.button("Import").click()
    row = page.find("table.list tr", "OrderPizza")
    assert row.text.split()[:2] == ["OrderPizza", "2"]  # with its example count
    page.go("Entities")
    page.find("section[aria-labelledby='kind-entities'] td", "size")
    page.go("Versions")
    imported = page.find("form[aria-label='Import a version']")
    page.find("input[type=file]", within=imported).send_keys(str(lu))
    page.fill("versionId", "0.2", within=imported)
    page.button("Import as a new version", within=imported).click()
    page.find("a", "Edit 0.2")


def test_start_an_app_from_a_prebuilt_domain(page):
    page.driver.get(page.server.url + "/#/apps")
    form = page.find("section[aria-labelledby='new-app'] form")
    Select(page.find("select[name='culture']", within=form)).select_by_value("en-us")
    page.wait(lambda: "Weather" in page.find("select[name='domain']", within=form).text, message="no Weather domain")
    page.choose(page.find("select[name='domain']", within=form), "Weather")
    name = page.fill("name", unique_name("weather"), within=form).get_attribute("value")
    page.button("Create app", within=form).click()
    page.find("main#page h1", "Intents")
    assert page.find("header.appbar strong").text == name  # the domain's app, under the name given
    page.find("table.list td", "Weather.QueryWeather")


def test_hostile_names_show_as_text(page, state):
    page.driver.get(page.server.url + "/#/apps")
    page.fill("name", "<img src=x onerror=alert(1)>")  # LUIS allows it in an app name
    page.button("Create app").click()
    assert page.find("header.appbar strong").text == "<img src=x onerror=alert(1)>"
    page.no_script_ran()
    page.find("a", "My apps").click()
    page.find("table.list a", "<img src=x onerror=alert(1)>")
    page.no_script_ran()
    page.find("a", state["name"]).click()
    page.go("Intents")
    page.fill("name", '"><svg onload=alert(1)>')
    page.button("Create intent").click()
    assert "\'\"><svg onload=alert(1)>\'" in page.find("[role=alert]").text
    page.find("td", "BookFlight")
    page.shot("intents")
    page.go("Entities")  # a list entity's values may hold any text
    lists = page.find("section[aria-labelledby='kind-closedlists']")
    page.fill("canonicalForm", "<img src=x onerror=alert(1)>", within=lists)
    page.fill("list", "<script>window.hacked = 3</script>", within=lists)
    page.button("Add sublist", within=lists).click()
    page.find("td", "<img src=x onerror=alert(1)> = <script>window.hacked = 3</script>", within=lists)
    page.no_script_ran()
    page.driver.get(page.server.url + "/#/apps")
    row = page.find("table.list tr", state["name"])
    assert row.find_elements(By.TAG_NAME, "td")[3].text == "3"  # endpoint hits: the test panel's, two queries
    page.shot("apps")
    assert not page.errors_in_console()  # a Content-Security-Policy violation would be one


def test_console_is_served_with_a_strict_policy_and_can_be_turned_off(server, start_server):
    browser = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}
    answer = requests.get(server.url + "/", headers=browser, timeout=10)
    assert answer.status_code == 200 and '<div id="console">' in answer.text
    policy = answer.headers["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "script-src 'self'" in policy and "unsafe-inline" not in policy
    assert "<script>" not in answer.text and " style=" not in answer.text
    script = requests.get(server.url + "/console/app.js", timeout=10)
    assert script.status_code == 200 and "javascript" in script.headers["Content-Type"]
    assert requests.get(server.url + "/", timeout=10).json()["service"] == "luislite"  # other clients: JSON
    off = start_server("--workers", "0", LUISLITE_CONSOLE="0")
    assert requests.get(off.url + "/console/app.js", timeout=10).status_code == 404
    page = requests.get(off.url + "/", headers=browser, timeout=10)  # a page saying what the server is, instead
    assert "<h1>luislite " in page.text and '<div id="console">' not in page.text
