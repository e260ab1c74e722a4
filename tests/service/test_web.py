"""The web UI: log in, list, register a case, record a step; messages next to their fields."""
from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from service_support import bad_check_digit, make_resident_id


@pytest.fixture()
def browser(app, make_user, world):
    make_user("officer", world.subject)  # ensure the admin fixture chain ran
    with TestClient(app, follow_redirects=False) as c:
        yield c


def _login(browser, admin_user=("admin", "admin-password-1")) -> None:
    r = browser.post("/ui/login", data={"username": admin_user[0], "password": admin_user[1]})
    assert r.status_code == 303 and r.headers["location"] == "/ui/cases"
    cookie = r.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie


def _csrf(html: str) -> str:
    return re.search(r'name="csrf" value="([0-9a-f]+)"', html).group(1)


def _new_case_form(world, csrf: str, **overrides) -> dict:
    form = {
        "csrf": csrf, "case_type": "2", "subject_code": world.subject, "item_code": world.items["penalty"],
        "case_no": "网页案1号", "source_channel": "02", "region_code": "440106", "procedure": "2",
        "registered_at": "2024-05-06T09:30", "officer_cert_nos": [world.officers["a"], world.officers["b"]],
        "party.party_type": "1", "party.party_name": "周网页", "party.credential_type": "01",
        "party.credential_no": make_resident_id("19800101"),
    }
    form.update(overrides)
    return form


def test_pages_need_a_login(browser):
    r = browser.get("/ui/cases")
    assert r.status_code == 303 and r.headers["location"] == "/ui/login"
    assert "登录" in browser.get("/ui/login").text
    r = browser.post("/ui/login", data={"username": "admin", "password": "wrong"})
    assert r.status_code == 401 and "用户名或密码不正确" in r.text


def test_register_a_case_and_record_a_step(browser, world):
    _login(browser)
    assert "案件" in browser.get("/ui/cases").text
    page = browser.get("/ui/cases/new", params={"case_type": "2"})
    assert page.status_code == 200 and "新建行政处罚案件" in page.text
    csrf = _csrf(page.text)

    # a forged form (no CSRF token of this session) is refused
    assert browser.post("/ui/cases/new", data=_new_case_form(world, "0" * 32)).status_code == 403

    # wrong input: the page comes back with each message next to its field
    bad = browser.post("/ui/cases/new", data=_new_case_form(
        world, csrf, officer_cert_nos=[world.officers["a"]], **{"party.credential_no": bad_check_digit(make_resident_id())}))
    assert bad.status_code == 422
    assert re.search(r'id="officer_cert_nos".*?class="error">[^<]*不少于 2 名', bad.text, re.S)
    assert re.search(r'id="party.credential_no".*?class="error">[^<]*居民身份证号码', bad.text, re.S)

    created = browser.post("/ui/cases/new", data=_new_case_form(world, csrf))
    assert created.status_code == 303, created.text
    url = created.headers["location"]
    detail = browser.get(url)
    assert detail.status_code == 200 and "网页案1号" in detail.text
    assert "周**" in detail.text and "周网页" not in detail.text  # masked

    step = {"csrf": csrf, "stage_code": "C5", "entered_at": "2024-05-07T09:00", "decision_no": "网罚1号",
            "decision_at": "2024-05-07T10:00", "penalty_kinds": ["03"], "fine_amount": "3000"}
    refused = browser.post(f"{url}/steps", data=step)
    assert refused.status_code == 422 and "告知、听证与申辩" in refused.text

    ok = browser.post(f"{url}/steps", data={"csrf": csrf, "stage_code": "C2", "entered_at": "2024-05-07T09:00",
                                            "handler_cert_no": world.officers["a"]})
    assert ok.status_code == 303
    assert "C2 调查取证" in browser.get(url).text


def test_a_leader_revokes_a_case_with_a_reason(browser, world, admin):
    """The revoke form: shown to the unit's leader only; the reason is required and its message
    stands next to the field; revoked, the case shows its new status and offers no more steps."""
    officer, leader = ("web_revoke_officer", "password-123"), ("web_revoke_leader", "password-123")
    for (username, password), role in ((officer, "officer"), (leader, "leader")):
        r = admin.post("/api/v1/users", {"username": username, "password": password, "role": role,
                                         "subject_code": world.subject, "full_name": "赵局长"})
        assert r.status_code == 201, r.text
    _login(browser, officer)
    created = browser.post("/ui/cases/new", data=_new_case_form(
        world, _csrf(browser.get("/ui/cases/new", params={"case_type": "2"}).text), case_no="网页撤销案1号"))
    assert created.status_code == 303, created.text
    url = created.headers["location"]
    page = browser.get(url).text
    assert 'id="revoke"' not in page        # an officer cannot revoke: no form to try

    _login(browser, leader)
    page = browser.get(url).text
    assert 'id="revoke"' in page and 'value="91"' in page   # only the filing step: 不予立案 too
    csrf = _csrf(page)
    missing = browser.post(f"{url}/revoke", data={"csrf": csrf, "status": "90", "reason": ""})
    assert missing.status_code == 422
    assert re.search(r'id="revoke.reason".*?class="error">[^<]*必填', missing.text, re.S)
    assert "已撤销" not in browser.get(url).text

    done = browser.post(f"{url}/revoke", data={"csrf": csrf, "status": "90", "reason": "当事人主体认定错误"})
    assert done.status_code == 303
    page = browser.get(url).text
    assert "已撤销" in page and 'id="revoke"' not in page and "记录下一个环节" not in page
