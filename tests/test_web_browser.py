"""The web console in a real browser (headless Chromium driven by Selenium) against a real `watcher run`.

Needs Debian's `chromium` and `chromium-driver` (CI installs them); skipped with a message when absent. On a
failure, a screenshot of the page in view and of every page the test visited is saved in the test's tmp folder.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import time
from pathlib import Path
from typing import Callable, Iterator

import pytest

from tests.conftest import run_watcher
from tests.ops import get, publish, start_daemon, stop, wait_for
from tests.receivers import WebhookReceiver, free_port
from tests.webconsole import polled
from tests.webserver import WebServer

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
DRIVER = shutil.which("chromedriver")
pytestmark = pytest.mark.skipif(
    not (CHROMIUM and DRIVER),
    reason="browser tests need Chromium and its driver: apt-get install chromium chromium-driver")


@pytest.fixture
def browser(tmp_path: Path) -> Iterator["Browser"]:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
                 "--window-size=1280,1000", f"--user-data-dir={tmp_path / 'chromium-profile'}"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(DRIVER), options=options)
    driver.set_page_load_timeout(30)
    b = Browser(driver, tmp_path)
    try:
        yield b
    finally:
        driver.quit()


def gone(element: object, driver: object) -> bool:
    """Whether the page `element` was on has been replaced. chromedriver may answer for a node of the old page
    "does not belong to the document" (an unknown error, not a stale element) while the new page comes in."""
    from selenium.common.exceptions import WebDriverException
    from selenium.webdriver.support import expected_conditions

    try:
        return bool(expected_conditions.staleness_of(element)(driver))
    except WebDriverException as e:
        if "does not belong to the document" in str(e.msg):
            return True
        raise


class Browser:
    def __init__(self, driver: object, folder: Path) -> None:
        self.driver = driver
        self.folder = folder
        self.base = ""
        self.visited: list[str] = []

    def open(self, path: str) -> None:
        self.visited.append(path)
        self.driver.get(self.base + path)

    def css(self, selector: str) -> list:
        from selenium.webdriver.common.by import By

        return self.driver.find_elements(By.CSS_SELECTOR, selector)

    def submit(self, selector: str) -> None:
        """Click a button or link that loads another page, and wait until that page replaced this one."""
        from selenium.common.exceptions import WebDriverException
        from selenium.webdriver.support.wait import WebDriverWait

        for attempt in range(3):
            element = self.css(selector)[0]
            try:
                element.click()
                break
            except WebDriverException as e:
                # on a loaded machine chromedriver can lose the node it is clicking ("does not belong to the
                # document"): a page that changed meanwhile took the click; one that did not never had it
                if gone(element, self.driver):
                    break
                if attempt == 2:
                    raise AssertionError(f"clicking {selector} failed ({e.msg}); on the page: {self.text()[:300]}")
        WebDriverWait(self.driver, 30).until(lambda driver: gone(element, driver))

    def text(self) -> str:
        return self.driver.find_element("tag name", "body").text

    def until(self, probe: Callable[[], object], what: str, timeout: float = 60) -> None:
        """Reload the page until `probe` holds, or fail saying what was on the page."""
        deadline = time.monotonic() + timeout
        while not probe():
            if time.monotonic() > deadline:
                raise AssertionError(f"gave up waiting for {what}; the page said: {self.text()[:800]}")
            time.sleep(0.5)
            self.driver.refresh()

    def for_docs(self, name: str) -> None:
        """With WATCHER_DOCS_SHOTS=folder, keep a screenshot of this page there (the README's pictures)."""
        folder = os.environ.get("WATCHER_DOCS_SHOTS")
        if folder:
            self.driver.save_screenshot(str(Path(folder) / f"console-{name}.png"))

    def csp_errors(self) -> list[str]:
        return [e["message"] for e in self.driver.get_log("browser") if "Content Security Policy" in e["message"]]

    @contextlib.contextmanager
    def screenshots_on_failure(self) -> Iterator[None]:
        try:
            yield
        except BaseException:
            with contextlib.suppress(Exception):
                self.driver.save_screenshot(str(self.folder / "failure.png"))
                for i, path in enumerate(dict.fromkeys(self.visited)):
                    self.driver.get(self.base + path)
                    self.driver.save_screenshot(str(self.folder / f"page-{i:02d}{path.replace('/', '_')}.png"))
            raise


def test_pages_rule_test_retry_poll_now_and_csrf_in_a_browser(browser: Browser, web: WebServer,
                                                               hooks: WebhookReceiver, tmp_path: Path) -> None:
    port = free_port()
    config = polled(tmp_path, web, hooks, listen=f"127.0.0.1:{port}")
    config.write_text(config.read_text() + "include: [added.yaml]\n")  # where the console writes new sources
    (tmp_path / "added.yaml").write_text("")
    courier_article(web)
    proc = start_daemon(config, log=tmp_path / "daemon.log")
    browser.base = f"http://127.0.0.1:{port}"
    try:
        with browser.screenshots_on_failure():
            wait_for(lambda: get(browser.base + "/healthz")[0] == 200, timeout=60)
            for path, heading in (("/", "Overview"), ("/sources", "Sources"), ("/sources/echo", "Source echo"),
                                  ("/alerts", "Alerts"), ("/stories", "Stories"), ("/rules", "Rules")):
                browser.open(path)
                assert browser.css("h1")[0].text.startswith(heading), f"{path}: {browser.text()[:300]}"
                browser.for_docs(heading.lower().replace(" ", "-"))
            browser.open("/alerts")
            browser.submit("#alerts tbody tr:last-child a")  # the oldest alert
            assert browser.css("h1")[0].text.startswith("Alert")
            assert any(m.text.lower() in ("harbour", "dredgers") for m in browser.css("#evidence mark"))
            browser.for_docs("alert")
            alert_url = browser.driver.current_url
            article_id = browser.css("dl.facts a[href^='/articles/']")[0].get_attribute("href").rsplit("/", 1)[1]
            browser.visited.append(alert_url.removeprefix(browser.base))
            browser.submit("#others a, h2 a")  # on to its story
            assert browser.css("h1")[0].text.startswith("Story")
            browser.for_docs("story")
            assert browser.csp_errors() == [], "the pages break their own Content-Security-Policy"

            # test the rule on a stored article: the evidence comes back highlighted
            browser.open("/rules/harbour-works")
            article = browser.css("#article")[0]
            article.send_keys(article_id)
            browser.submit("#test")
            assert browser.css("#verdict")[0].text == "fires", browser.text()[:500]
            assert [m.text.lower() for m in browser.css("#evidence mark")][:1] == ["harbour"]
            browser.for_docs("rule-test")

            # live preview: typing text runs the test again without a click (the page's own small script)
            browser.open("/rules/harbour-works")
            assert not browser.css("#verdict")
            browser.css("textarea[name=text]")[0].send_keys("Quay news\n\nDredgers reached the mouth at dawn.")
            from selenium.common.exceptions import StaleElementReferenceException

            def live_result() -> tuple[list[str], list[str]] | None:  # a later answer may replace it while read
                with contextlib.suppress(StaleElementReferenceException):
                    return [v.text for v in browser.css("#verdict")], [m.text for m in browser.css("#evidence mark")]
                return None

            deadline, seen = time.monotonic() + 60, None
            while (seen := live_result()) != (["fires"], ["Dredgers"]):
                assert time.monotonic() < deadline, (
                    f"live result {seen}, not a firing one; the browser said: {browser.driver.get_log('browser')}")
                time.sleep(0.2)

            # the receiver is back: "retry now" delivers what failed
            hooks.fail_next.clear()
            before = len(hooks.snapshot())
            browser.driver.get(alert_url)
            browser.submit("button.retry")
            wait_for(lambda: len(hooks.snapshot()) > before, timeout=60)
            browser.until(lambda: any(b.text == "sent" for b in browser.css("#deliveries .badge")), "the delivery sent")

            # poll now: a new article on the gazette's feed shows on its page
            publish(web, "gazette", ["harbour-dredging-starts", "harbour-wall-repaired"])
            browser.open("/sources/gazette")
            browser.submit("#poll-now")
            assert "poll started" in browser.css(".flash")[0].text
            browser.until(lambda: "Harbour wall repaired" in browser.text(), "the polled article", timeout=90)

            # add a source through the form: the feed its page advertises is found, written and polled
            browser.open("/sources")
            browser.css("#new-url")[0].send_keys(web.url("/courier/"))
            browser.submit("#discover")
            assert "with 1 entries" in browser.text(), browser.text()[:500]
            browser.css("#new-id")[0].clear()
            browser.css("#new-id")[0].send_keys("courier")
            browser.css("#new-tags")[0].send_keys("local")
            browser.submit("#confirm-add")
            assert browser.driver.current_url.endswith("/sources/courier"), browser.driver.current_url
            browser.until(lambda: "Ferry timetable changes" in browser.text(), "the new source's article", timeout=90)
            assert "id: courier" in (tmp_path / "added.yaml").read_text()

            # a form whose CSRF token was tampered with is refused
            browser.driver.get(alert_url)
            browser.driver.execute_script("document.querySelector('input[name=csrf]').value = 'forged'")
            browser.submit("#false-positive")
            assert "security token" in browser.text()
            browser.driver.get(alert_url)
            assert not browser.css("#fp-mark")
            browser.submit("#false-positive")
            assert browser.css("#fp-mark"), "the real form is accepted"
    finally:
        code, _ = stop(proc, signal.SIGTERM)
    assert code == 0, (tmp_path / "daemon.log").read_text()[-3000:]


def courier_article(web: WebServer) -> None:
    """A site whose home page advertises its feed, with one article of its own."""
    from datetime import datetime, timezone

    from tests.pages import news_page, rss
    from tests.webserver import Route

    web.route("/courier/2026/11/ferry.html", Route(news_page("Ferry timetable changes", [
        "The island ferry will sail twice an hour from March, the operator Westway Marine said on Tuesday.",
        "Captain Rhona Baird said the second vessel, refitted over the winter, passed its sea trials last week.",
        "Fares stay at 6.50 pounds for foot passengers, while season tickets rise by four percent.",
    ])))
    web.route("/courier/feed.xml", Route(rss([{"title": "Ferry timetable changes", "link": "{{BASE}}/courier/2026/11/ferry.html",
                                               "guid": "courier-ferry", "published": datetime.now(timezone.utc)}]),
                                         content_type="application/rss+xml"))
    web.route("/courier/", Route(b'<html><head><title>The Courier</title><link rel="alternate" '
                                 b'type="application/rss+xml" href="/courier/feed.xml"></head><body>News</body></html>'))


def test_login_wall_on_a_non_loopback_bind(browser: Browser, web: WebServer, hooks: WebhookReceiver,
                                           tmp_path: Path) -> None:
    port = free_port()
    config = polled(tmp_path, web, hooks, listen=f"0.0.0.0:{port}")
    refused = run_watcher("run", "--config", str(config), timeout=60)  # no credentials: no console off loopback
    assert refused.returncode == 1 and "needs credentials" in refused.stderr, refused.stderr
    proc = start_daemon(config, log=tmp_path / "daemon.log", env={"WATCHER_CONSOLE_TOKEN": "open sesame"})
    browser.base = f"http://127.0.0.1:{port}"
    try:
        with browser.screenshots_on_failure():
            wait_for(lambda: get(browser.base + "/healthz")[0] == 200, timeout=60)  # no login for the health check
            browser.open("/alerts")
            assert browser.driver.current_url.endswith("/login?next=/alerts")
            browser.css("#token")[0].send_keys("guess")
            browser.submit("#login")
            assert "wrong token" in browser.text()
            browser.css("#token")[0].send_keys("open sesame")
            browser.submit("#login")
            assert browser.driver.current_url.endswith("/alerts") and browser.css("#alerts"), browser.text()[:500]
    finally:
        code, _ = stop(proc, signal.SIGTERM)
    assert code == 0, (tmp_path / "daemon.log").read_text()[-3000:]
