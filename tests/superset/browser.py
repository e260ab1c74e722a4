"""Headless Chromium (Debian's chromium and chromium-driver) driven by Selenium from Superset's
environment, which has Selenium: log in as a user through the login page, open each dashboard,
wait until every chart has finished, screenshot it, and report each chart's state as JSON.

    .venvs/superset/bin/python tests/superset/browser.py BASE_URL OUT_DIR slug [slug ...]
    (username and password in JIANDU_BROWSER_USER / JIANDU_BROWSER_PASSWORD)
"""
from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait

# What a chart holder shows in each state (Superset 6.1, Chinese or English UI).
STATE_JS = r"""
const out = [];
for (const holder of document.querySelectorAll('.dashboard-component-chart-holder')) {
  const slice = holder.querySelector('[data-test-chart-id]') || holder;
  const name = (holder.querySelector('[data-test="editable-title"], .header-title, [data-test="slice-header"]')
                || {innerText: ''}).innerText.trim();
  const text = holder.innerText || '';
  const loading = !!holder.querySelector('[data-test="loading-indicator"], .loading');
  const error = !!holder.querySelector('.ant-alert-error, [data-test="alert"].ant-alert-error, .alert-danger')
                || /Unexpected error|出错|错误：|Error:/.test(text) && !!holder.querySelector('[role="alert"]');
  const empty = /No results were returned|没有返回结果|无结果|No data|暂无数据/.test(text);
  const drawn = !!holder.querySelector('canvas, svg, table tbody tr, .header-line, [data-test="big-number"]');
  out.push({id: slice.getAttribute('data-test-chart-id'), name: name.split('\n')[0], loading, error, empty,
            drawn, text: text.slice(0, 400)});
}
return out;
"""


def driver() -> webdriver.Chrome:
    opts = webdriver.ChromeOptions()
    opts.binary_location = "/usr/bin/chromium"
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                "--window-size=1600,3000", "--lang=zh-CN"):
        opts.add_argument(arg)
    return webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=opts)


def login(d: webdriver.Chrome, base: str, user: str, password: str) -> None:
    d.get(base + "/login/")
    wait = WebDriverWait(d, 60)
    wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, "input[name='username'], #username")))
    d.find_element(By.CSS_SELECTOR, "input[name='username'], #username").send_keys(user)
    d.find_element(By.CSS_SELECTOR, "input[name='password'], #password").send_keys(password)
    d.find_element(By.CSS_SELECTOR, "button[type='submit'], input[type='submit']").click()
    wait.until(lambda drv: "/login" not in drv.current_url)


def dashboard(d: webdriver.Chrome, base: str, slug: str, out_dir: Path) -> dict:
    t0 = time.monotonic()
    d.get(f"{base}/superset/dashboard/{slug}/?standalone=1")
    WebDriverWait(d, 60).until(lambda drv: drv.find_elements(By.CSS_SELECTOR, ".dashboard-component-chart-holder")
                               or "404" in drv.title or drv.find_elements(By.CSS_SELECTOR, ".ant-alert-error"))
    deadline = time.monotonic() + 120
    charts = d.execute_script(STATE_JS)
    while time.monotonic() < deadline and "404" not in d.title:
        charts = d.execute_script(STATE_JS)
        if charts and not any(c["loading"] for c in charts) and all(c["drawn"] or c["error"] or c["empty"]
                                                                     for c in charts):
            break
        time.sleep(1)
    time.sleep(1)  # let the last animations finish before the screenshot
    charts = d.execute_script(STATE_JS)
    shot = out_dir / f"{slug}.png"
    d.save_screenshot(str(shot))
    return {"slug": slug, "title": d.title, "url": d.current_url, "seconds": round(time.monotonic() - t0, 1),
            "screenshot": str(shot), "charts": charts}


def main() -> None:
    base, out_dir, slugs = sys.argv[1], Path(sys.argv[2]), sys.argv[3:]
    out_dir.mkdir(parents=True, exist_ok=True)
    d = driver()
    try:
        login(d, base, os.environ["JIANDU_BROWSER_USER"], os.environ["JIANDU_BROWSER_PASSWORD"])
        results = [dashboard(d, base, slug, out_dir) for slug in slugs]
    finally:
        d.quit()
    print(json.dumps(results, ensure_ascii=False))


if __name__ == "__main__":
    main()
