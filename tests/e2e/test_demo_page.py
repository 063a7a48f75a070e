"""The local demo in a real browser: `python -m bot` without a token, driven by Chromium."""

from __future__ import annotations

import os
import queue
import shutil
import signal
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Final

import pytest
from selenium import webdriver
from selenium.common.exceptions import StaleElementReferenceException, TimeoutException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support.ui import WebDriverWait

from tests.recordings import speak_wav

CHROMIUM: Final = "/usr/bin/chromium"
CHROMEDRIVER: Final = "/usr/bin/chromedriver"
INSTALL_HINT: Final = "apt-get install chromium chromium-driver (.ci/run does it)"
STARTED_WITHIN: Final = 60.0
WAIT: Final = 20.0
# Transcribing a few seconds of speech on a busy 2-core machine.
TRANSCRIBED_WITHIN: Final = 120.0
SPOKEN: Final = "The interview was with the payments team."

pytestmark = pytest.mark.timeout(240)


class Demo:
    """A running `python -m bot` in demo mode, and what it printed."""

    def __init__(self, process: subprocess.Popen[str], url: str, banner: str, data: Path) -> None:
        self.process = process
        self.url = url
        self.banner = banner
        self.data = data


def _first_lines(stream: IO[str], lines: queue.Queue[str]) -> None:
    """Copy the process's stdout lines into a queue (a thread: readline blocks)."""
    for line in stream:
        lines.put(line)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory, whisper_model: Path) -> Iterator[Demo]:
    """Start `python -m bot` with no token at all, in a folder without a .env."""
    folder = tmp_path_factory.mktemp("demo")
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("TELEGRAM_", "DEBRIEF_")) and "proxy" not in key.lower()
    }
    env |= {
        "DEBRIEF_DEMO_PORT": "0",
        "DEBRIEF_DB_PATH": str(folder / "data" / "debrief.sqlite3"),
        "DEBRIEF_WHISPER_MODEL": str(whisper_model),
        "DEBRIEF_WHISPER_CACHE": str(folder / "whisper"),
    }
    stderr = (folder / "stderr.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "bot"],
        cwd=folder,
        env=env,
        stdout=subprocess.PIPE,
        stderr=stderr,
        text=True,
    )
    assert process.stdout is not None
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=_first_lines, args=(process.stdout, lines), daemon=True).start()
    try:
        banner = [lines.get(timeout=STARTED_WITHIN) for _ in range(3)]
    except queue.Empty:
        process.kill()
        pytest.fail(f"the demo did not start:\n{(folder / 'stderr.log').read_text()}")
    url = banner[0].split("open ", 1)[1].split()[0]
    try:
        yield Demo(process, url, "".join(banner), folder / "data")
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            assert process.wait(timeout=20) == 0, (folder / "stderr.log").read_text()[-3000:]
        except subprocess.TimeoutExpired:
            process.kill()
            raise
        finally:
            stderr.close()


@pytest.fixture(scope="module")
def browser(
    tmp_path_factory: pytest.TempPathFactory, recordings: Path
) -> Iterator[webdriver.Chrome]:
    """Start headless Chromium whose microphone plays a spoken sentence."""
    for tool in (CHROMIUM, CHROMEDRIVER):
        if not shutil.which(tool):
            pytest.fail(f"{tool} is not installed: {INSTALL_HINT}")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    microphone = speak_wav(recordings, SPOKEN, voice="en")
    for flag in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-proxy-server",
        f"--user-data-dir={tmp_path_factory.mktemp('chromium')}",
        "--window-size=412,860",
        "--lang=en-US",
        "--use-fake-ui-for-media-stream",
        "--use-fake-device-for-media-stream",
        f"--use-file-for-fake-audio-capture={microphone}%noloop",
    ):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture(scope="module")
def artifacts(pytestconfig: pytest.Config, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Return where screenshots go: pytest's cache (kept, never committed)."""
    cache: pytest.Cache | None = getattr(pytestconfig, "cache", None)
    return cache.mkdir("debrief-demo") if cache is not None else tmp_path_factory.mktemp("shots")


class Page:
    """The chat page in one browser tab, used as a person would."""

    def __init__(self, driver: webdriver.Chrome) -> None:
        self.driver = driver

    def wait(self, within: float = WAIT) -> WebDriverWait[webdriver.Chrome]:
        """Return a waiter that ignores rows redrawn meanwhile."""
        return WebDriverWait(
            self.driver, within, ignored_exceptions=(StaleElementReferenceException,)
        )

    def newest(self) -> int:
        """Return the id of the newest message in the chat (0 when empty)."""
        ids = [int(row.get_attribute("data-id") or 0) for row in self.rows()]
        return max(ids, default=0)

    def rows(self, selector: str = ".row") -> list[WebElement]:
        """Return the messages drawn now."""
        return self.driver.find_elements(By.CSS_SELECTOR, selector)

    def bot_says(self, fragment: str, within: float = WAIT, *, after: int = 0) -> WebElement:
        """Wait for the bot's newest message containing fragment (with an id above after)."""

        def found(driver: webdriver.Chrome) -> WebElement | bool:
            for row in reversed(self.rows(".row.in")):
                if int(row.get_attribute("data-id") or 0) > after and fragment in row.text:
                    return row
            return False

        try:
            row = self.wait(within).until(found)
        except TimeoutException:
            chat = self.driver.find_element(By.ID, "chat").text[-1500:]
            raise AssertionError(
                f"no bot message with {fragment!r}; the chat ends:\n{chat}"
            ) from None
        assert isinstance(row, WebElement)
        return row

    def row(self, message_id: str) -> WebElement:
        """Return the message with this id as drawn now."""
        return self.driver.find_element(By.CSS_SELECTOR, f'.row[data-id="{message_id}"]')

    def say(self, text: str) -> None:
        """Type a message and send it."""
        self.driver.find_element(By.ID, "input").send_keys(text)
        self.driver.find_element(By.ID, "send").click()

    def tap(self, row: WebElement, label: str) -> None:
        """Tap the button of a message whose label contains label."""
        for button in row.find_elements(By.CSS_SELECTOR, ".keyboard button"):
            if label in button.text:
                button.click()
                return
        raise AssertionError(f"no button {label!r} under {row.text!r}")


def test_the_demo_keeps_its_own_database_and_listens_locally(demo: Demo) -> None:
    """Without a token the demo starts; its database is named apart from the real one."""
    assert demo.url.startswith("http://127.0.0.1:")
    assert "@BotFather" in demo.banner
    assert ".env" in demo.banner
    assert (demo.data / "debrief-demo.sqlite3").exists()
    assert not (demo.data / "debrief.sqlite3").exists()


def test_a_debrief_on_the_demo_page(demo: Demo, browser: webdriver.Chrome, artifacts: Path) -> None:
    """The page greets, plays a short debrief with buttons, and shows the draft to copy."""
    page = Page(browser)
    browser.get(demo.url)
    assert "Local demo" in browser.find_element(By.ID, "demo-note").text

    welcome = page.bot_says("I'm Debrief")
    page.tap(welcome, "New debrief")
    page.bot_says("Question 1/")
    page.say("Acme")
    page.bot_says("Question 2/")
    page.say("Data engineer")
    people = page.bot_says("Question 3/")
    people_id = people.get_attribute("data-id")
    assert people_id is not None
    page.tap(people, "Skip")
    # The question is edited live: what became of it added, the keyboard gone.
    page.wait().until(lambda _: not page.row(people_id).find_elements(By.CSS_SELECTOR, ".keyboard"))
    edited = page.row(people_id).text
    assert "edited" in edited
    assert "Skipped" in edited, edited
    interviewer = page.bot_says("Question 4/")
    page.tap(interviewer, "Finish now")

    draft = page.bot_says("Subject:")
    block = draft.find_element(By.CSS_SELECTOR, ".pre pre")
    assert "Acme" in block.text
    assert "Data engineer" in block.text
    assert draft.find_element(By.CSS_SELECTOR, ".pre .copy").text == "Copy"
    summary = page.bot_says("Debrief: Acme")
    assert summary.find_elements(By.CSS_SELECTOR, "b")
    page.bot_says("Debrief saved")
    browser.execute_script("arguments[0].scrollIntoView({block: 'start'})", summary)
    browser.save_screenshot(str(artifacts / "debrief-light.png"))

    browser.find_element(By.ID, "menu").click()
    menu = browser.find_element(By.ID, "commands")
    page.wait().until(lambda _: menu.is_displayed() and "/export" in menu.text)
    export = next(
        item
        for item in menu.find_elements(By.TAG_NAME, "button")
        if item.text.startswith("/export")
    )
    export.click()
    document = page.wait().until(
        lambda driver: driver.find_elements(By.CSS_SELECTOR, ".row.in a.document")
    )[0]
    href = document.get_attribute("href")
    assert href is not None
    with urllib.request.urlopen(href, timeout=WAIT) as response:
        assert b"Acme" in response.read()

    # A second debrief, and /insights compares them with a chart, sent as a photo.
    before = page.newest()
    page.say("/new")
    page.bot_says("Question 1/", after=before)
    page.say("Initech")
    second = page.bot_says("Question 2/", after=before)
    page.tap(second, "Finish now")
    page.bot_says("Debrief: Initech", after=before)
    page.say("/insights")
    photo = page.wait(within=60).until(
        lambda driver: driver.find_elements(By.CSS_SELECTOR, ".row.in img.photo")
    )[0]
    page.wait().until(
        lambda driver: driver.execute_script("return arguments[0].naturalWidth", photo) > 0
    )

    browser.find_element(By.ID, "theme").click()
    browser.execute_script("document.getElementById('chat').scrollTop = 0")
    browser.save_screenshot(str(artifacts / "debrief-dark.png"))
    assert browser.execute_script("return document.documentElement.dataset.theme") == "dark"


def test_a_second_tab_is_another_user(demo: Demo, browser: webdriver.Chrome) -> None:
    """A new tab starts its own chat: nothing of the first user shows, and it debriefs alone."""
    first = browser.current_window_handle
    browser.switch_to.new_window("tab")
    try:
        browser.get(demo.url)
        page = Page(browser)
        welcome = page.bot_says("I'm Debrief")
        assert "Acme" not in browser.find_element(By.ID, "chat").text
        page.tap(welcome, "New debrief")
        page.bot_says("Question 1/")
    finally:
        browser.close()
        browser.switch_to.window(first)


def test_a_voice_note_from_the_microphone(
    demo: Demo, browser: webdriver.Chrome, artifacts: Path
) -> None:
    """The microphone records Opus in the browser; the bot transcribes it as a voice note."""
    page = Page(browser)
    browser.get(demo.url)
    page.bot_says("I'm Debrief")
    before = page.newest()
    page.say("/new")
    page.bot_says("Question 1/", after=before)
    page.say("Globex")
    page.bot_says("Question 2/", after=before)
    microphone = browser.find_element(By.ID, "mic")
    assert microphone.is_displayed()
    microphone.click()
    clock = browser.find_element(By.ID, "recording-time")
    page.wait().until(lambda _: clock.text >= "0:03")
    browser.save_screenshot(str(artifacts / "recording.png"))
    microphone.click()
    # While it transcribes, the bot says it is typing, and the page shows it as Telegram does.
    page.wait(within=TRANSCRIBED_WITHIN).until(
        lambda driver: driver.find_element(By.ID, "status").text == "typing…"
    )
    sent = page.wait().until(
        lambda driver: driver.find_elements(By.CSS_SELECTOR, ".row.out audio"),
    )[-1]
    source = sent.get_attribute("src")
    assert source is not None
    with urllib.request.urlopen(source, timeout=WAIT) as response:
        assert response.read(4) == b"OggS", "Telegram sends voice notes as OGG/Opus"
    heard = page.bot_says("I heard", within=TRANSCRIBED_WITHIN, after=before)
    assert "payment" in heard.text.lower()


def test_the_page_answers_only_itself(demo: Demo) -> None:
    """Another site cannot drive the demo from a visitor's browser (Origin and Host checked)."""
    forged = urllib.request.Request(
        f"{demo.url}api/send",
        data=b'{"user": 1, "text": "hi"}',
        headers={"Content-Type": "application/json", "Origin": "http://evil.example"},
        method="POST",
    )
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(forged, timeout=WAIT)
    assert refused.value.code == 403
