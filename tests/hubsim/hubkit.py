"""Test kit for the hub simulator: a small HTTP client and valid records of every dataset."""
from __future__ import annotations

from jiandu.standard import resident_id_check_char

import itertools
import random
import uuid
from dataclasses import dataclass, field

import requests
from stdnum.cn import ric, uscc as uscc_mod

from jiandu.standard import load_standard, party_id

CLIENT_ID, CLIENT_SECRET = "jiandu-test", "s3cret-for-tests"
V1 = "2026-03-01T10:00:00+08:00"
V2 = "2026-03-02T10:00:00+08:00"
V3 = "2026-03-03T10:00:00+08:00"

_regions = itertools.count(random.Random().randrange(100, 900) * 1000)


def new_region() -> str:
    """A six-digit region code no other test of this run uses (keys and checks are per region)."""
    return f"{next(_regions):06d}"


def make_uscc(n: int) -> str:
    body = f"91440101MA{n:07d}"
    return body + uscc_mod.calc_check_digit(body)


def make_resident_id(n: int, birth: str = "19850312") -> str:
    body = f"440106{birth}{n % 1000:03d}"
    return body + resident_id_check_char(body)


def key_of(dataset: str, data: dict) -> str:
    return "|".join(str(data[k]) for k in load_standard().datasets[dataset].key)


def upsert(dataset: str, data: dict, version: str = V1, record_key: str | None = None) -> dict:
    return {"record_key": key_of(dataset, data) if record_key is None else record_key,
            "record_version": version, "op": "upsert", "data": data}


def delete(record_key: str, version: str = V2) -> dict:
    return {"record_key": record_key, "record_version": version, "op": "delete"}


class Hub:
    """The simulator over HTTP, as a deployment sees it."""

    def __init__(self, base_url: str, client_id: str = CLIENT_ID, secret: str = CLIENT_SECRET) -> None:
        self.base_url = base_url
        self.client_id, self.secret = client_id, secret
        self.http = requests.Session()
        self._token: str | None = None

    def url(self, path: str) -> str:
        return self.base_url + path

    def get_token(self) -> requests.Response:
        return self.http.post(self.url("/api/v1/token"),
                              json={"client_id": self.client_id, "client_secret": self.secret}, timeout=10)

    @property
    def token(self) -> str:
        if self._token is None:
            r = self.get_token()
            assert r.status_code == 200, r.text
            self._token = r.json()["access_token"]
        return self._token

    def auth(self) -> dict:
        return {"Authorization": f"Bearer {self.token}"}

    def post_batch(self, dataset: str, body: bytes | dict, batch_id: str | None, *,
                   headers: dict | None = None, timeout: float = 30) -> requests.Response:
        h = dict(self.auth() if headers is None else headers)
        if batch_id is not None:
            h["Idempotency-Key"] = batch_id
        if isinstance(body, dict):
            return self.http.post(self.url(f"/api/v1/datasets/{dataset}/batches"), json=body, headers=h,
                                  timeout=timeout)
        h.setdefault("Content-Type", "application/json")
        return self.http.post(self.url(f"/api/v1/datasets/{dataset}/batches"), data=body, headers=h,
                              timeout=timeout)

    def push(self, dataset: str, region: str, records: list[dict], batch_id: str | None = None,
             **kw) -> requests.Response:
        batch_id = batch_id or str(uuid.uuid4())
        return self.post_batch(dataset, {"batch_id": batch_id, "region_code": region, "records": records},
                               batch_id, **kw)

    def accept(self, dataset: str, region: str, records: list[dict]) -> dict:
        """Push and insist every record was accepted."""
        r = self.push(dataset, region, records)
        assert r.status_code == 200, r.text
        receipt = r.json()
        assert receipt["accepted"] == len(records), receipt
        return receipt

    def judge(self, dataset: str, region: str, record: dict) -> dict:
        """Push one record; return its rejection ({} when it was accepted, {"stale": True} when stale)."""
        r = self.push(dataset, region, [record])
        assert r.status_code == 200, r.text
        receipt = r.json()
        if receipt["rejected"]:
            return receipt["rejected"][0]
        return {"stale": True} if receipt["stale"] else {}

    def summary(self, dataset: str, region: str | None, headers: dict | None = None) -> requests.Response:
        params = {} if region is None else {"region_code": region}
        return self.http.get(self.url(f"/api/v1/datasets/{dataset}/summary"), params=params,
                             headers=self.auth() if headers is None else headers, timeout=10)

    def set_faults(self, config: dict) -> dict:
        r = self.http.post(self.url("/_sim/faults"), json=config, timeout=10)
        assert r.status_code == 200, r.text
        return r.json()


@dataclass
class Region:
    """A region holding one of each parent and one case, all accepted by the hub."""
    code: str
    n: int = field(default_factory=lambda: random.Random().randrange(1_000_000))
    subject: dict = field(init=False)
    item: dict = field(init=False)
    party: dict = field(init=False)
    officers: list[dict] = field(init=False)
    case: dict = field(init=False)

    def __post_init__(self) -> None:
        n = self.n
        self.subject = {"subject_code": make_uscc(n), "subject_name": "广州市天河区市场监督管理局",
                        "region_code": "440106", "subject_level": "3", "subject_type": "01",
                        "domain_code": "01", "is_active": True}
        self.item = {"item_code": f"ITEM-{n}", "item_name": "对未按规定公示信息的处罚", "item_category": "2",
                     "domain_code": "01", "legal_basis": "《企业信息公示暂行条例》第十八条",
                     "fine_min": "0.00", "fine_max": "5000.00", "legal_review_required": False,
                     "valid_from": "2020-01-01"}
        rid = make_resident_id(n)
        self.party = {"party_id": party_id("01", rid), "party_type": "1", "party_name": "李四",
                      "credential_type": "01", "credential_no": rid}
        self.officers = [
            {"cert_no": f"44010600{n:06d}{i}", "officer_name": "张三", "id_no": make_resident_id(n + i, "19800101"),
             "subject_code": self.subject["subject_code"], "cert_valid_from": "2020-01-01",
             "cert_valid_to": "2030-12-31", "cert_status": "01"} for i in (1, 2, 3)]
        self.case = self.new_case(f"LP:{n}")

    @property
    def certs(self) -> list[str]:
        return [o["cert_no"] for o in self.officers]

    def new_case(self, case_id: str, **over) -> dict:
        data = {"case_id": case_id, "case_no": f"穗天市监罚〔2026〕{self.n}号", "case_type": "2",
                "subject_code": self.subject["subject_code"], "item_code": self.item["item_code"],
                "party_id": self.party["party_id"], "source_channel": "01", "region_code": "440106",
                "procedure": "2", "officer_cert_nos": self.certs[:2],
                "registered_at": "2026-03-01T09:00:00+08:00", "status": "10",
                "time_limit_extended": False, "source_system": "LP"}
        data.update(over)
        return {k: v for k, v in data.items() if v is not None}

    def seed(self, hub: Hub, with_case: bool = True) -> "Region":
        hub.accept("ZF01", self.code, [upsert("ZF01", self.subject)])
        hub.accept("ZF02", self.code, [upsert("ZF02", o) for o in self.officers])
        hub.accept("ZF03", self.code, [upsert("ZF03", self.item)])
        hub.accept("ZF04", self.code, [upsert("ZF04", self.party)])
        if with_case:
            hub.accept("ZF10", self.code, [upsert("ZF10", self.case)])
        return self

    # valid records of the datasets below ZF10, for the seeded case
    def valid(self, dataset: str) -> dict:
        c = self.case["case_id"]
        return {
            "ZF01": self.subject, "ZF02": self.officers[0], "ZF03": self.item, "ZF04": self.party,
            "ZF10": self.case,
            "ZF11": {"case_id": c, "inspection_kind": "01", "inspected_at": "2026-03-02T10:00:00+08:00",
                     "result": "02", "rectify_deadline": "2026-04-01",
                     "rectified_at": "2026-03-20T10:00:00+08:00"},
            "ZF12": {"case_id": c, "decision_no": "穗天市监罚〔2026〕1号",
                     "decision_at": "2026-03-10T10:00:00+08:00", "penalty_kinds": ["01", "03"],
                     "fine_amount": "500.00", "confiscation_amount": 0, "legal_review_at": "2026-03-09T10:00:00+08:00",
                     "notified_at": "2026-03-05T10:00:00+08:00", "hearing_requested": False,
                     "served_at": "2026-03-12T10:00:00+08:00", "execution_status": "1"},
            "ZF13": {"case_id": c, "measure_seq": 1, "coercion_kind": "1", "measure_code": "02",
                     "started_at": "2026-03-02T10:00:00+08:00", "term_days": 30, "emergency": False},
            "ZF20": {"case_id": c, "seq": 3, "stage_code": "C2", "entered_at": "2026-03-02T10:00:00+08:00",
                     "handler_cert_no": self.certs[0], "approver_name": "王五", "opinion": "同意"},
            "ZF30": {"case_id": c, "published_at": "2026-03-15T10:00:00+08:00",
                     "public_text": "某某公司未按规定公示年度报告，处警告并罚款500元。"},
        }[dataset]
