"""A real browser reads the exported sample vault from file://: links, search and the roadmap SVG.

Uses Debian's Chromium and ChromeDriver (/usr/bin/chromium, /usr/bin/chromedriver); screenshots
go to test-artifacts/ at the top of the project.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from .conftest import ROOT, SAMPLE_VAULT, TODAY, Result

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
ARTIFACTS = ROOT / "test-artifacts"

pytestmark = pytest.mark.skipif(
    not (Path(CHROMIUM).is_file() and Path(CHROMEDRIVER).is_file()),
    reason="Chromium and ChromeDriver are not installed (apt-get install chromium chromium-driver)",
)


@pytest.fixture
def browser() -> Iterator[object]:
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
    ARTIFACTS.mkdir(exist_ok=True)
    wait = WebDriverWait(driver, 15)

    driver.get(site.joinpath("index.html").as_uri())
    assert driver.title.startswith("Milestones")
    driver.find_element(By.LINK_TEXT, "Space X").click()
    wait.until(ec.title_contains("Space X · roadmap"))
    svg = driver.find_element(By.CSS_SELECTOR, "svg.mp-timeline")
    assert svg.is_displayed() and svg.size["width"] > 400 and svg.size["height"] > 100
    diamonds = driver.find_elements(By.CSS_SELECTOR, "svg.mp-timeline polygon")
    assert len(diamonds) == 5 and all(d.is_displayed() for d in diamonds)
    driver.save_screenshot(str(ARTIFACTS / "roadmap-space-x.png"))

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
    driver.save_screenshot(str(ARTIFACTS / "search.png"))
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
    driver.save_screenshot(str(ARTIFACTS / "roadmap-phone.png"))

    errors = [entry for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]  # type: ignore[attr-defined]
    assert errors == []
