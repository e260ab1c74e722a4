"""The web UI in a real browser: headless Chromium (Debian's chromium and chromium-driver) against
the service started in its own process on a free port.

An officer logs in at desktop size, enters a penalty case (first with a wrong ID number, whose
message must appear next to its field), and advances it; the unit's leader, on a phone-sized
screen, approves a step, decides, and publishes the masked public notice. Screenshots of every
stage are kept under test-artifacts/browser/ in the repository (the paths are printed).
"""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from service_support import SECRET, bad_check_digit, make_resident_id, ok, unique

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "browser"
PASSWORD = "browser-password-1"
PHONE = (390, 844)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(db_url, app):
    """The service in its own process (uvicorn), as `make up` runs it."""
    port = _free_port()
    code = ("import sys, uvicorn; from caseentry.app import create_app; "
            "uvicorn.run(create_app(sys.argv[1], sys.argv[2]), host='127.0.0.1', port=int(sys.argv[3]), "
            "log_level='warning')")
    proc = subprocess.Popen([sys.executable, "-c", code, db_url, SECRET, str(port)])
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}/api/v1/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert proc.poll() is None, "the service exited at start"
            assert time.monotonic() < deadline, "the service did not answer within 60 s"
            time.sleep(0.2)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()


@pytest.fixture(scope="module")
def driver():
    # The browser is a real component of this test: missing, it is an installation fault
    # (`make envs` installs it), and the test fails rather than skips.
    assert CHROMIUM.exists() and CHROMEDRIVER.exists(), \
        "Debian's chromium and chromium-driver are required (scripts/system-packages.sh, run by `make envs`)"
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--lang=zh-CN",
                "--window-size=1280,1000"):
        options.add_argument(arg)
    d = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    d.implicitly_wait(5)
    try:
        yield d
    finally:
        d.quit()


@pytest.fixture(scope="module")
def people(admin, world):
    names = {}
    for role in ("officer", "leader"):
        username = f"web_{role}_{unique()}"
        ok(admin.post("/api/v1/users", {"username": username, "password": PASSWORD, "role": role,
                                        "subject_code": world.subject, "full_name": "赵局长"}), 201)
        names[role] = username
    return names


class Page:
    """The few things the test does with a page, each failing loudly."""

    def __init__(self, driver, base: str, shots: list[Path]):
        self.d, self.base, self.shots = driver, base, shots

    def open(self, path: str) -> None:
        self.d.get(self.base + path)

    def el(self, element_id: str):
        from selenium.webdriver.common.by import By
        return self.d.find_element(By.ID, element_id)

    def type(self, element_id: str, text: str) -> None:
        el = self.el(element_id)
        el.clear()
        el.send_keys(text)

    def set_value(self, element_id: str, value: str) -> None:
        # datetime-local inputs take keystrokes in the browser's locale format; set the value
        # the way the form submits it instead.
        self.d.execute_script("arguments[0].value = arguments[1];", self.el(element_id), value)

    def choose(self, element_id: str, value: str) -> None:
        from selenium.webdriver.support.ui import Select
        Select(self.el(element_id)).select_by_value(value)

    def tick(self, name: str, value: str) -> None:
        from selenium.webdriver.common.by import By
        box = self.d.find_element(By.CSS_SELECTOR, f'input[name="{name}"][value="{value}"]')
        if not box.is_selected():
            box.click()

    def submit(self, button_css: str = 'button[type="submit"].button') -> None:
        """Click and wait for the next page (every form here posts and gets a new page)."""
        from selenium.webdriver.common.by import By
        from selenium.common.exceptions import WebDriverException
        from selenium.webdriver.support.ui import WebDriverWait
        old = self.d.find_element(By.TAG_NAME, "html")
        self.d.find_element(By.CSS_SELECTOR, button_css).click()

        def old_page_gone(_) -> bool:
            # While the new page replaces the old, Chromium answers a look at the old node either
            # "stale element" or, mid-swap, an inspector error ("Node ... does not belong to the
            # document"); staleness_of only knows the first.
            try:
                old.is_enabled()
                return False
            except WebDriverException:
                return True
        wait = WebDriverWait(self.d, 20)
        wait.until(old_page_gone)
        wait.until(lambda d: d.execute_script("return document.readyState") == "complete")

    def error_next_to(self, element_id: str) -> str:
        """The message shown right after the field (the UI puts it there)."""
        from selenium.webdriver.common.by import By
        found = self.d.find_elements(By.XPATH, f'//*[@id="{element_id}"]/following-sibling::div[@class="error"][1]')
        assert found, f"no message next to {element_id}: {self.body()[:500]}"
        return found[0].text

    def body(self) -> str:
        from selenium.webdriver.common.by import By
        return self.d.find_element(By.TAG_NAME, "body").text

    def shot(self, name: str) -> None:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / f"{len(self.shots) + 1:02d}-{name}.png"
        assert self.d.save_screenshot(str(path)), path
        self.shots.append(path)

    def login(self, username: str) -> None:
        self.d.delete_all_cookies()
        self.open("/ui/login")
        self.type("username", username)
        self.type("password", PASSWORD)
        self.submit()
        assert self.d.current_url.endswith("/ui/cases"), self.body()[:300]


def test_officer_enters_and_advances_a_penalty_case_leader_decides_on_a_phone(server, driver, people, world, capsys):
    if ARTIFACTS.exists():
        shutil.rmtree(ARTIFACTS)
    shots: list[Path] = []
    p = Page(driver, server, shots)
    try:
        _officer_enters_a_case(p, people, world)
        _leader_on_a_phone(p, people)
    finally:
        with capsys.disabled():
            print(f"\nbrowser screenshots ({len(shots)}) in {ARTIFACTS}:")
            for path in shots:
                print(f"  {path}")


def _officer_enters_a_case(p: Page, people, world) -> None:
    p.d.set_window_size(1280, 1000)
    p.login(people["officer"])
    assert "我的案件" in p.body()
    p.shot("officer-cases")

    p.open("/ui/cases/new?case_type=2")
    assert "新建行政处罚案件" in p.body()
    p.choose("item_code", world.items["penalty"])
    p.type("case_no", f"浏览器案{unique()}号")
    p.choose("source_channel", "01")
    p.type("region_code", "440106")
    p.choose("procedure", "2")
    p.set_value("registered_at", "2024-05-06T09:30")
    p.tick("officer_cert_nos", world.officers["a"])
    p.tick("officer_cert_nos", world.officers["b"])
    p.choose("party.party_type", "1")
    p.type("party.party_name", "欧阳浏览")
    p.choose("party.credential_type", "01")
    good_id = make_resident_id("19870707")
    p.type("party.credential_no", bad_check_digit(good_id))
    p.submit()
    # refused: the message stands next to the field, and nothing was registered
    message = p.error_next_to("party.credential_no")
    assert "校验" in message or "居民身份证" in message, message
    assert "/ui/cases/new" in p.d.current_url
    p.shot("officer-new-case-refused")

    p.type("party.credential_no", good_id)
    p.set_value("registered_at", "2024-05-06T09:30")   # the browser keeps it, but be explicit
    p.submit()
    assert "/ui/cases/" in p.d.current_url and "/new" not in p.d.current_url, p.body()[:500]
    body = p.body()
    assert "立案" in body and "欧***" in body and "欧阳浏览" not in body   # masked
    p.shot("officer-case-registered")

    # advance: C2 (investigation), then a step out of order is refused with its message
    p.choose("stage_code", "C2")
    p.set_value("entered_at", "2024-05-07T09:00")
    p.choose("handler_cert_no", world.officers["a"])
    p.submit("#record_step")
    assert "C2 调查取证" in p.body(), p.body()[:500]
    p.choose("stage_code", "C4")
    p.set_value("entered_at", "2024-05-01T09:00")   # before C2: refused
    p.set_value("notified_at", "2024-05-01T10:00")
    p.submit("#record_step")
    assert "早于" in p.error_next_to("entered_at")
    p.shot("officer-step-refused")
    p.choose("stage_code", "C4")
    p.set_value("entered_at", "2024-05-10T09:00")
    p.set_value("notified_at", "2024-05-10T10:00")
    p.submit("#record_step")
    assert "C4 告知、听证与申辩" in p.body(), p.body()[:500]
    p.shot("officer-case-advanced")
    p.case_url = p.d.current_url


def _leader_on_a_phone(p: Page, people) -> None:
    p.d.set_window_size(*PHONE)
    p.login(people["leader"])
    p.d.get(p.case_url)
    width = p.d.execute_script("return [document.documentElement.scrollWidth, window.innerWidth];")
    assert width[0] <= width[1] + 1, f"the case page is wider than a phone's screen: {width}"
    p.shot("leader-phone-case")

    # approve the officer's C2 step (seq 2): signed with the leader's own name, not typed
    assert "赵局长（本人签署）" in p.el("approve2.signer").text
    p.type("approve2.opinion", "同意调查结论")
    p.submit("#approve2 button")
    assert "同意调查结论" in p.body(), p.body()[:500]
    p.shot("leader-phone-approved")

    # decide (C5), which the leader records
    p.choose("stage_code", "C5")
    p.set_value("entered_at", "2024-05-20T09:00")
    p.type("decision_no", f"浏罚字〔2024〕{unique()}号")
    p.set_value("decision_at", "2024-05-20T10:00")
    p.tick("penalty_kinds", "03")
    p.type("fine_amount", "3000")
    p.submit("#record_step")
    body = p.body()
    assert "C5 决定" in body and "已决定" in body, body[:500]
    # the public notice, masked, can be read and published
    notice = p.el("public_text").text
    assert "欧***" in notice and "欧阳浏览" not in notice and "3000" in notice, notice
    p.set_value("publicity.published_at", "2024-05-21T09:00")
    p.submit("#publicity button")
    assert "已于" in p.body() and "公示" in p.body()
    p.shot("leader-phone-published")
