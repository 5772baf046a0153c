"""A real browser reads the exported sample vault from file://: links, search and the roadmap SVG.

Uses Debian's Chromium and ChromeDriver (/usr/bin/chromium, /usr/bin/chromedriver); screenshots
go to the folder named by ``MILEPOST_SCREENSHOTS`` when it is set (else none are kept).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from .conftest import SAMPLE_VAULT, TODAY, Result

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
SCREENSHOTS = os.environ.get("MILEPOST_SCREENSHOTS")


def screenshot(driver: object, name: str) -> None:
    """Keep what the browser shows, in $MILEPOST_SCREENSHOTS when it is set."""
    if SCREENSHOTS:
        Path(SCREENSHOTS).mkdir(parents=True, exist_ok=True)
        driver.save_screenshot(str(Path(SCREENSHOTS) / name))  # type: ignore[attr-defined]


pytestmark = pytest.mark.skipif(
    not (Path(CHROMIUM).is_file() and Path(CHROMEDRIVER).is_file()),
    reason="Chromium and ChromeDriver are not installed (apt-get install chromium chromium-driver)",
)


@contextlib.contextmanager
def chromium() -> Iterator[object]:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    profile = tempfile.mkdtemp(prefix="milepost-chromium-")
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        "--window-size=1280,1000",
        f"--user-data-dir={profile}",
    ):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(30)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture
def browser() -> Iterator[object]:
    with chromium() as driver:
        yield driver


def test_the_exported_site_in_a_real_browser(
    browser: object, run: Callable[..., Result], tmp_path: Path
) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.remote.webdriver import WebDriver
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    assert isinstance(browser, WebDriver)
    driver = browser
    site = tmp_path / "site"
    result = run("export", SAMPLE_VAULT, "-o", site, "--today", TODAY.isoformat(), "-q")
    assert result.code == 0, result.err
    wait = WebDriverWait(driver, 15)

    driver.get(site.joinpath("index.html").as_uri())
    assert driver.title.startswith("Milestones")
    overview = driver.find_element(By.CSS_SELECTOR, ".mp-overview")
    overview.find_element(By.LINK_TEXT, "Space X").click()
    wait.until(ec.title_contains("Space X · roadmap"))
    svg = driver.find_element(By.CSS_SELECTOR, "svg.mp-timeline")
    assert svg.is_displayed() and svg.size["width"] > 400 and svg.size["height"] > 100
    diamonds = driver.find_elements(By.CSS_SELECTOR, "svg.mp-timeline polygon")
    assert len(diamonds) == 5 and all(d.is_displayed() for d in diamonds)
    screenshot(driver, "roadmap-space-x.png")

    # a milestone's source link leads to the note, at the heading it is written under
    driver.find_element(By.PARTIAL_LINK_TEXT, "Milestones › Space X").click()
    wait.until(ec.title_contains("Milestones"))
    assert driver.current_url.endswith("notes/concepts/milestones.html#mp-h-space-x")
    heading = driver.find_element(By.ID, "mp-h-space-x")
    assert heading.text == "Space X"
    # its Tools section links to the tool notes
    driver.find_element(By.LINK_TEXT, "Gantt Chart").click()
    wait.until(ec.title_contains("Gantt Chart"))
    assert "notes/tools/gantt-chart.html" in driver.current_url

    # search: the index is loaded on demand, results are links
    box = driver.find_element(By.ID, "mp-search-input")
    box.click()
    box.send_keys("reusable rocket")
    results = wait.until(ec.visibility_of_element_located((By.ID, "mp-search-results")))
    first = results.find_element(By.CSS_SELECTOR, "li a")
    assert first.text.startswith("Milestones") or "roadmap" in first.text
    screenshot(driver, "search.png")
    first.click()
    wait.until(lambda d: "search" not in d.current_url and d.title != "Gantt Chart · sample-vault")
    assert driver.current_url.startswith("file://")

    # tags, the review and a mobile-sized roadmap
    driver.get(site.joinpath("tags/index.html").as_uri())
    assert driver.find_elements(By.CSS_SELECTOR, "a.tag")
    driver.get(site.joinpath("review.html").as_uri())
    assert "Plan review 2026-11" in driver.find_element(By.TAG_NAME, "h1").text
    driver.set_window_size(390, 844)
    driver.get(site.joinpath("roadmaps/space-x.html").as_uri())
    svg = driver.find_element(By.CSS_SELECTOR, "svg.mp-timeline")
    assert svg.is_displayed() and svg.size["width"] >= 600  # scrolls sideways rather than shrinking
    screenshot(driver, "roadmap-phone.png")

    errors = [entry for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]  # type: ignore[attr-defined]
    assert errors == []


WORDS_BROKEN = """
const broken = [];
for (const cell of document.querySelectorAll(arguments[0])) {
  const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    for (const word of node.data.matchAll(/\\S+/g)) {
      const range = document.createRange();
      range.setStart(node, word.index);
      range.setEnd(node, word.index + word[0].length);
      const lines = new Set([...range.getClientRects()].map(r => Math.round(r.top)));
      if (lines.size > 1) broken.push(word[0]);
    }
  }
}
return broken;
"""
TIMELINE = """
const svg = document.querySelector('svg.mp-timeline');
const axis = svg.querySelector('line.mp-axis').x1.baseVal.value;
const marks = [...svg.querySelectorAll('g.mp-row polygon')].map(p => {
  const xs = [...p.points].map(q => q.x);
  const title = p.querySelector('title') || p.closest('g').querySelector('title');
  return {x: (Math.min(...xs) + Math.max(...xs)) / 2,
          status: p.closest('g').dataset.status,
          title: title ? title.textContent : ''};
});
const labels = [...svg.querySelectorAll('text.mp-label')].map(t => {
  const box = t.getBBox();
  return {text: t.textContent, right: box.x + box.width};
});
return {width: svg.viewBox.baseVal.width, axis: axis, marks: marks, labels: labels};
"""


PAGES = ("index.html", "roadmaps/space-x.html", "review.html", "notes/concepts/milestones.html")
WIDTHS = (1280, 420)


@pytest.fixture(scope="module")
def first_look(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Any, Path]]:
    """One browser and the sample vault exported once, for the first-look tests."""
    from milepost.cli import main

    site = tmp_path_factory.mktemp("first-look") / "site"
    code = main(["export", str(SAMPLE_VAULT), "-o", str(site), "--today", TODAY.isoformat(), "-q"])
    assert code == 0
    with chromium() as driver:
        yield driver, site


def visit(driver: Any, site: Path, page: str, width: int) -> None:
    """Open ``page`` in a window ``width`` px wide (waiting until the page is laid out at it)."""
    from selenium.webdriver.support.ui import WebDriverWait

    driver.set_window_size(width, 1000)
    driver.get(site.joinpath(page).as_uri())
    WebDriverWait(driver, 10).until(
        lambda d: d.execute_script(
            "return document.readyState === 'complete' && window.innerWidth === arguments[0]",
            width,
        )
    )
    screenshot(driver, f"{page.replace('/', '-').removesuffix('.html')}-{width}.png")


@pytest.mark.parametrize("width", WIDTHS)
def test_table_cells_wrap_only_between_words(first_look: tuple[Any, Path], width: int) -> None:
    driver, site = first_look
    for page in PAGES:
        visit(driver, site, page, width)
        assert driver.execute_script(WORDS_BROKEN, "th, .mp-table td") == [], page


def test_no_page_scrolls_sideways_at_420_px(first_look: tuple[Any, Path]) -> None:
    from selenium.webdriver.common.by import By

    driver, site = first_look
    for page in PAGES:
        visit(driver, site, page, 420)
        scroll, view = driver.execute_script(
            "return [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
        )
        assert scroll == view, f"{page} scrolls sideways ({scroll} > {view})"
    visit(driver, site, "roadmaps/space-x.html", 420)
    box = driver.find_element(By.CSS_SELECTOR, ".mp-figure .mp-scroll")
    assert driver.execute_script("return arguments[0].scrollWidth > arguments[0].clientWidth", box)


def test_the_font_stack_has_colour_emoji(first_look: tuple[Any, Path]) -> None:
    driver, site = first_look
    visit(driver, site, "index.html", 1280)
    font = driver.execute_script("return getComputedStyle(document.body).fontFamily")
    for emoji in ("Apple Color Emoji", "Segoe UI Emoji", "Noto Color Emoji"):
        assert emoji in font


def test_the_home_page_shows_the_home_note_beside_the_overview(
    first_look: tuple[Any, Path],
) -> None:
    from selenium.webdriver.common.by import By

    driver, site = first_look
    visit(driver, site, "index.html", 1280)
    note = driver.find_element(By.CSS_SELECTOR, ".mp-home-note h1")
    table = driver.find_element(By.CSS_SELECTOR, ".mp-overview table")
    assert note.text == "Home" and table.is_displayed()
    assert note.location["x"] + note.size["width"] <= table.location["x"]  # side by side
    visit(driver, site, "index.html", 420)
    note = driver.find_element(By.CSS_SELECTOR, ".mp-home-note h1")
    table = driver.find_element(By.CSS_SELECTOR, ".mp-overview table")
    assert note.location["y"] < table.location["y"]  # one above the other


def test_the_timeline_is_focused_on_the_open_milestones(first_look: tuple[Any, Path]) -> None:
    """Planned milestones spread over the axis, not squeezed into a corner by one milestone
    achieved in 2020, which is gathered at the left edge."""
    from selenium.webdriver.common.by import By

    driver, site = first_look
    visit(driver, site, "roadmaps/space-x.html", 1280)
    chart = driver.execute_script(TIMELINE)
    plot = chart["width"] - chart["axis"]
    planned = [m["x"] for m in chart["marks"] if m["status"] == "planned"]
    assert len(planned) == 3
    assert (max(planned) - min(planned)) / plot >= 0.5
    (old,) = [m for m in chart["marks"] if m["status"] == "achieved"]
    assert old["x"] - chart["axis"] < 0.1 * plot
    assert "First successful manned mission" in old["title"] and "2020" in old["title"]
    ticks = driver.find_elements(By.CSS_SELECTOR, "svg.mp-timeline text.mp-tick")
    assert not any("2020" in t.text or "2021" in t.text for t in ticks)


@pytest.mark.parametrize("model", ["space-x", "exotic-pet-rental"])
def test_timeline_labels_and_tooltips_are_whole(first_look: tuple[Any, Path], model: str) -> None:
    """Every label shown in full inside its column; every mark's tooltip has its full title,
    status and dates."""
    from selenium.webdriver.common.by import By

    driver, site = first_look
    visit(driver, site, f"roadmaps/{model}.html", 1280)
    chart = driver.execute_script(TIMELINE)
    assert chart["labels"]
    for label in chart["labels"]:
        assert "…" not in label["text"] and label["right"] <= chart["axis"], label
    listed = [e.text for e in driver.find_elements(By.CSS_SELECTOR, ".mp-item-title strong")]
    for mark in chart["marks"]:
        assert any(mark["title"].startswith(title + " — ") for title in listed), mark
        assert any(word in mark["title"] for word in ("due ", "done ")), mark
    if model == "exotic-pet-rental":
        long = "New Instagram account, established and updated weekly"
        assert any(long in " ".join(label["text"].split()) for label in chart["labels"])
