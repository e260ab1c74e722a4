"""The provincial supervision data standard (省行政执法监督数据标准), read from the project's copy.

``standard/supervision-standard.yaml`` is a byte-for-byte copy of ``../shared/standard``; a test
proves them equal. Everything that needs the standard's datasets, fields, code sets, check rules
or masking reads it through this module, so there is one interpretation of the document.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml
from stdnum.cn import ric, uscc

STANDARD_DIR = Path(__file__).resolve().parent.parent / "standard"
STANDARD_FILE = STANDARD_DIR / "supervision-standard.yaml"

# Parents before children: the hub checks references (hub-api.md, "Order of datasets").
PUSH_ORDER = ["ZF01", "ZF02", "ZF03", "ZF04", "ZF10", "ZF11", "ZF12", "ZF13", "ZF20", "ZF30"]

_TYPE_RE = re.compile(r"^(?P<base>string|code|list|decimal|date|datetime|int|bool)(\((?P<arg>.*)\))?$")


@dataclass(frozen=True)
class FieldType:
    base: str                      # string code list decimal date datetime int bool
    length: int | None = None      # string(N)
    code_set: str | None = None    # code(SET)
    item: "FieldType | None" = None  # list(...)
    precision: tuple[int, int] | None = None  # decimal(18,2)

    @classmethod
    def parse(cls, text: str) -> "FieldType":
        m = _TYPE_RE.match(text.strip())
        if not m:
            raise ValueError(f"unknown type {text!r}")
        base, arg = m["base"], m["arg"]
        if base == "string":
            return cls(base, length=int(arg))
        if base == "code":
            return cls(base, code_set=arg)
        if base == "list":
            return cls(base, item=cls.parse(arg))
        if base == "decimal":
            p, s = (int(x) for x in arg.split(","))
            return cls(base, precision=(p, s))
        return cls(base)


@dataclass(frozen=True)
class FieldSpec:
    name: str
    type: FieldType
    type_text: str
    required: bool
    title: str
    rule: str | None = None
    references: str | None = None
    pii: bool | str = False
    mask: str | None = None
    min: int | None = None
    min_items: int | None = None
    min_items_summary: int | None = None
    required_when: str | None = None


@dataclass(frozen=True)
class Dataset:
    code: str                 # ZF10
    name: str                 # case
    title: str
    key: tuple[str, ...]
    fields: tuple[FieldSpec, ...] = field(default_factory=tuple)

    @property
    def field_map(self) -> dict[str, FieldSpec]:
        return {f.name: f for f in self.fields}


@dataclass(frozen=True)
class Standard:
    version: str
    datasets: dict[str, Dataset]
    code_sets: dict[str, dict[str, str]]
    rules: dict[str, str]
    masking: dict[str, str]

    def dataset_by_name(self, name: str) -> Dataset:
        for ds in self.datasets.values():
            if ds.name == name:
                return ds
        raise KeyError(name)


@lru_cache(maxsize=4)
def load_standard(path: Path = STANDARD_FILE) -> Standard:
    doc = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    datasets: dict[str, Dataset] = {}
    for code, ds in doc["datasets"].items():
        fields = []
        for fname, spec in ds["fields"].items():
            fields.append(FieldSpec(
                name=fname, type=FieldType.parse(spec["type"]), type_text=spec["type"],
                required=bool(spec.get("required", False)), title=spec.get("title", ""),
                rule=spec.get("rule"), references=spec.get("references"), pii=spec.get("pii", False),
                mask=spec.get("mask"), min=spec.get("min"), min_items=spec.get("min_items"),
                min_items_summary=spec.get("min_items_summary"),
                required_when=spec.get("required_when"),
            ))
        datasets[code] = Dataset(code=code, name=ds["name"], title=ds["title"], key=tuple(ds["key"]),
                                 fields=tuple(fields))
    code_sets = {}
    for name, values in doc["code_sets"].items():
        if isinstance(values, dict):
            code_sets[name] = {str(k): str(v) for k, v in values.items()}
    return Standard(version=str(doc["version"]), datasets=datasets, code_sets=code_sets,
                    rules=dict(doc["rules"]), masking=dict(doc["masking"]))


# --- check rules ---------------------------------------------------------------------------

def normalise_credential(value: str | None) -> str | None:
    """The standard's ``normalised_credential``: NFKC, spaces removed, letters upper-cased."""
    if value is None:
        return None
    text = unicodedata.normalize("NFKC", value)
    text = re.sub(r"\s+", "", text).upper()
    return text


def resident_id_valid(value: str | None) -> bool:
    """GB 11643 check character and a real birth date.

    Not ``stdnum.cn.ric.validate``: it also rejects a genuine number whose region code did not
    exist yet on the birth date (440106198001010019), which the standard does not ask.
    """
    # [0-9], not \d: \d also matches full-width digits, which the hub does not take.
    if not value or not re.fullmatch(r"[0-9]{17}[0-9X]", value):
        return False
    try:
        dt.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return False
    return resident_id_check_char(value[:17]) == value[17]


def resident_id_check_char(first17: str) -> str:
    """The GB 11643 check character of the first 17 digits.

    (stdnum's ric.calc_check_digit takes the whole number, check character included, and
    drops its last character: given 17 digits it silently computes over 16.)
    """
    return ric.calc_check_digit(first17 + "0")


def uscc_check_char(first17: str) -> str:
    """The GB 32100 check character of the first 17 characters."""
    return uscc.calc_check_digit(first17)


def uscc_valid(value: str | None) -> bool:
    """GB 32100 check character over the 30-character alphabet (no I, O, Z, S, V)."""
    if not value or not re.fullmatch(r"[0-9A-HJ-NP-RTUW-Y]{18}", value):
        return False
    try:
        return uscc.calc_check_digit(value[:17]) == value[17]
    except Exception:
        return False


def credential_valid(credential_type: str | None, credential_no: str | None) -> bool:
    """``by_credential_type``: 01 resident ID, 10 USCC, others free text of at most 50."""
    if not credential_no:
        return False
    if credential_type == "01":
        return resident_id_valid(credential_no)
    if credential_type == "10":
        return uscc_valid(credential_no)
    return len(credential_no) <= 50


def party_id(credential_type: str, credential_no: str) -> str:
    """``rules.party_id``: sha256 of the type code followed by the normalised number."""
    normalised = normalise_credential(credential_no) or ""
    return hashlib.sha256((credential_type + normalised).encode("utf-8")).hexdigest()


# --- masking -------------------------------------------------------------------------------

def mask_person_name(name: str | None) -> str | None:
    if not name:
        return name
    return name[0] + "*" * (len(name) - 1)


def mask_resident_id(value: str | None) -> str | None:
    if not value:
        return value
    if len(value) <= 10:
        return "*" * len(value)
    return value[:6] + "*" * (len(value) - 10) + value[-4:]


def mask_other_credential(value: str | None) -> str | None:
    if not value:
        return value
    return "*" * max(len(value) - 4, 0) + value[-4:]


def mask_credential(credential_type: str | None, value: str | None) -> str | None:
    return mask_resident_id(value) if credential_type == "01" else mask_other_credential(value)


_RESIDENT_ID_IN_TEXT = re.compile(r"(?<![0-9A-Za-z])([0-9]{6})([0-9]{8})([0-9]{3}[0-9Xx])(?![0-9A-Za-z])")


def mask_resident_ids_in_text(text: str | None) -> str | None:
    """``resident_id_anywhere``: any 18-character resident-ID shape in free text is masked."""
    if not text:
        return text
    return _RESIDENT_ID_IN_TEXT.sub(lambda m: m.group(1) + "*" * 8 + m.group(3), text)
