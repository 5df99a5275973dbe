"""The web chat end to end in headless Debian chromium (Playwright): stream, cite, refuse, upload.

Screenshots of each state are saved under tests/artifacts/screenshots/ (gitignored) for a
person to look at. Timings (page interactive, first streamed token) are printed; run with
`-s` to see them.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from ingest.loader import load_document
from settings import ROOT
from tests.web_server import Server, web_server

SCREENSHOTS = ROOT / "tests" / "artifacts" / "screenshots"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
PAGE_INTERACTIVE_TARGET_S = 3.0
FIRST_TOKEN_TARGET_S = 1.5
SLACK = 2.0  # hard ceiling = target x SLACK: two shared cores can be busy with other work
IMG = '<img src=x onerror="window.__pwned=1">'
SCRIPT = "<script>window.__pwned=2</script>"
INJECTED = f"Harbour notes\n\nThe Zephyr lamp glows blue every night in the port {IMG}. Keepers: {SCRIPT}.\n"
# Records, in the page, when the question was sent and when the draft / final answer first showed.
TIMING_JS = """
window.__t = {};
document.querySelector('#question textarea').addEventListener('keydown', (e) => {
  if (e.key === 'Enter') {
    window.__t.sent = performance.now();
    window.__t.before = document.querySelectorAll('#chat .answer').length;
  }
}, true);
new MutationObserver(() => {
  const draft = document.querySelector('#chat .draft-text');
  if (!window.__t.first && draft && draft.textContent.trim()) window.__t.first = performance.now();
  const answers = [...document.querySelectorAll('#chat .answer')];
  const fresh = window.__t.sent && answers.length > window.__t.before;
  if (!window.__t.final && fresh && !answers.pop().classList.contains('draft')) {
    window.__t.final = performance.now();
  }
}).observe(document.body, {subtree: true, childList: true, characterData: true});
"""


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with web_server(tmp_path_factory.mktemp("web-browser")) as running:
        yield running


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def hosts() -> set[str]:
    """Every host the page requested: must stay 127.0.0.1 (no CDN, no web fonts, no telemetry)."""
    return set()


@pytest.fixture(scope="module")
def dialogs() -> list[str]:
    return []


@pytest.fixture(scope="module")
def page(browser: Browser, server: Server, hosts: set[str], dialogs: list[str]) -> Iterator[Page]:
    page = browser.new_page(viewport={"width": 1400, "height": 950})
    page.on("request", lambda request: hosts.add(request.url.split("/")[2]))
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    started = time.perf_counter()
    page.goto(server.url)
    page.wait_for_selector("#question textarea:not([disabled])")
    page.wait_for_function("window.__citeBridge === true")
    interactive = time.perf_counter() - started
    print(f"\npage interactive: {interactive:.2f} s after server ready (target {PAGE_INTERACTIVE_TARGET_S}s)")
    assert interactive < PAGE_INTERACTIVE_TARGET_S * SLACK
    page.screenshot(path=_shot("01-start"))
    yield page
    page.close()


def _shot(name: str) -> str:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return str(SCREENSHOTS / f"{name}.png")


def _ask(page: Page, question: str) -> dict[str, float]:
    """Send a question, wait for the verified answer; in-page times (s) of first token and final."""
    page.evaluate(TIMING_JS)
    page.fill("#question textarea", question)
    page.press("#question textarea", "Enter")
    page.wait_for_function("window.__t.final", timeout=120_000)
    times = page.evaluate("window.__t")
    return {k: (times[k] - times["sent"]) / 1000 for k in ("first", "final") if k in times}


def _source_text(server: Server, doc: str) -> str:
    (path,) = [p for p in server.data_dir.iterdir() if p.stem == doc]
    return load_document(path).text


def _focused_quote(page: Page, server: Server) -> tuple[str, str]:
    """(highlighted text, source text at the card's offsets) of the focused source card."""
    card = page.locator("#sources .source-card.focus")
    doc = card.locator(".src-doc").inner_text()
    start, end = map(int, card.locator(".src-chars").inner_text().removeprefix("chars ").split("–"))
    return card.locator("mark").inner_text(), _source_text(server, doc)[start:end]


def test_streamed_answer_then_citation_then_document(page: Page, server: Server) -> None:
    times = _ask(page, "By what year will broadband cover every village?")
    print(
        f"first streamed token: {times.get('first', times['final']):.2f} s after sending "
        f"(target {FIRST_TOKEN_TARGET_S} s); verified answer: {times['final']:.2f} s"
    )
    assert times.get("first", times["final"]) < FIRST_TOKEN_TARGET_S * SLACK
    answer = page.locator("#chat .answer").last
    assert "2020" in answer.inner_text() and page.locator("#chat .draft").count() == 0  # draft replaced
    page.screenshot(path=_shot("02-answer"))

    marker = answer.locator("button.cite").first
    marker.click()
    page.wait_for_selector("#sources .source-card.focus mark")
    highlighted, source = _focused_quote(page, server)
    assert highlighted == source == marker.get_attribute("title")
    page.screenshot(path=_shot("03-source"))

    page.click("#sources .source-card.focus button.show-doc")
    focus = page.wait_for_selector("#sources #doc-focus")
    assert focus.inner_text() == highlighted
    assert page.evaluate(
        "(() => { const m = document.querySelector('#doc-focus').getBoundingClientRect();"
        " return m.top >= 0 && m.bottom <= window.innerHeight; })()"
    )  # scrolled into view
    page.screenshot(path=_shot("04-document"))


def test_refusal_is_distinct_and_shows_the_closest_passage(page: Page, server: Server) -> None:
    page.click("#new-chat")  # a fresh conversation: not a follow-up of the previous answer
    page.wait_for_selector("#chat .answer", state="detached")
    _ask(page, "Which city hosted the conference?")
    refusal = page.locator("#chat .answer").last
    assert "refusal" in (refusal.get_attribute("class") or "")
    assert "Not in the documents" in refusal.inner_text()
    highlighted, source = _focused_quote(page, server)  # the panel opens on the closest passage
    assert highlighted == source and "closest" in page.locator("#sources .source-card").inner_text()
    page.screenshot(path=_shot("05-refusal"))


def test_export_offers_the_conversation(page: Page) -> None:
    page.click("#export")
    link = page.wait_for_selector("#export-file a[download]")
    assert link.get_attribute("download") == "conversation.md"


def test_upload_errors_then_injected_html_shows_as_text(
    page: Page, server: Server, tmp_path: Path, dialogs: list[str]
) -> None:
    page.click("#new-chat")
    page.wait_for_selector("#chat .answer", state="detached")
    page.get_by_role("tab", name="Documents").click()
    empty = tmp_path / "blank.txt"
    empty.write_text("")
    page.set_input_files("#upload input[type=file]", str(empty))
    page.click("#add-documents")
    error = page.wait_for_selector("#ingest-result .ingest-error")
    assert "blank.txt" in error.inner_text()
    page.screenshot(path=_shot("06-upload-error"))

    injected = tmp_path / "harbour-notes.txt"
    injected.write_text(INJECTED)
    page.set_input_files("#upload input[type=file]", str(injected))
    page.click("#add-documents")
    page.wait_for_selector("#ingest-result .ingest-ok", timeout=60_000)
    assert "harbour-notes.txt" in page.inner_text("#documents")
    page.screenshot(path=_shot("07-uploaded"))

    page.get_by_role("tab", name="Chat").click()
    _ask(page, "What does the Zephyr lamp do every night in the port?")
    page.locator("#chat .answer").last.locator("button.cite").first.click()
    page.wait_for_selector("#sources .source-card.focus mark")
    panel = page.inner_text("#sources")
    assert IMG in panel or SCRIPT in panel
    page.click("#sources .source-card.focus button.show-doc")
    page.wait_for_selector("#sources #doc-focus")
    document = page.inner_text("#sources")
    assert IMG in document and SCRIPT in document
    page.wait_for_timeout(300)  # an injected onerror would have fired by now
    assert page.evaluate("window.__pwned") is None and not dialogs
    assert page.locator("#chat img, #chat script, #sources img, #sources script").count() == 0
    page.screenshot(path=_shot("08-injected-as-text"))


def test_nothing_left_127_0_0_1(hosts: set[str], server: Server) -> None:
    assert hosts == {server.url.split("/")[2]}
