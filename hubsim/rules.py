"""The standard as the hub applies it, compiled once from supervision-standard.yaml.

Field lists, key order, references, list minimums and the datetime_order chain all come from the
YAML (through :mod:`jiandu.standard`); nothing here lists a dataset's fields.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import yaml

from jiandu.standard import STANDARD_FILE, Standard, load_standard

from hubsim.fieldchecks import ValueCheck, build_value_check, label

# rules.officers: "except a penalty case with procedure 1 (summary)". The standard states the
# condition in prose only, so its two codes are named here, once.
SUMMARY_PROCEDURE_CASE = {"case_type": "2", "procedure": "1"}


@dataclass(frozen=True)
class FieldRule:
    name: str
    label: str
    required: bool
    check: ValueCheck


@dataclass(frozen=True)
class Reference:
    field: str
    label: str
    target: str          # the referenced dataset; its key is the referenced field
    many: bool           # a list field: every item must resolve
    pii: bool


@dataclass(frozen=True)
class MinItems:
    field: str
    label: str
    minimum: int
    summary_minimum: int | None


@dataclass(frozen=True)
class DatasetRules:
    code: str
    key: tuple[str, ...]
    names: frozenset[str]
    fields: tuple[FieldRule, ...]
    min_items: tuple[MinItems, ...]
    references: tuple[Reference, ...]
    labels: dict[str, str]


@dataclass(frozen=True)
class OrderRule:
    """``rules.datetime_order``: a chain of datetime fields spread over a parent and a child dataset."""
    chain: tuple[str, ...]
    owner: dict[str, str]       # field -> dataset holding it
    parent: str                 # ZF10
    child: str                  # ZF12; its key is the field referencing the parent's key
    link: str                   # case_id
    text: str

    def counterpart(self, dataset: str, record_key: str, data: dict) -> tuple[str, str] | None:
        """The held record a record of ``dataset`` is judged with, as (dataset, record_key)."""
        if dataset == self.child:
            value = data.get(self.link)
            return (self.parent, value) if isinstance(value, str) else None
        if dataset == self.parent:
            return self.child, record_key
        return None


@dataclass(frozen=True)
class HubRules:
    datasets: dict[str, DatasetRules]
    order: OrderRule


def _raw_field_attrs(path=STANDARD_FILE) -> dict[tuple[str, str], dict]:
    """Field attributes jiandu.standard does not carry (min_items_summary)."""
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    return {(code, name): spec for code, ds in doc["datasets"].items() for name, spec in ds["fields"].items()}


def _order_rule(std: Standard) -> OrderRule:
    text = " ".join(std.rules["datetime_order"].split())
    m = re.fullmatch(r"(?P<chain>[\w\s<=]+?)\s+where present,\s*across\s+(?P<a>\w+)\s+and\s+(?P<b>\w+)", text)
    if not m:
        raise ValueError(f"cannot read rules.datetime_order: {text!r}")
    chain = tuple(part.strip() for part in m["chain"].split("<="))
    a, b = std.datasets[m["a"]], std.datasets[m["b"]]
    owner = {}
    for name in chain:
        holders = [ds.code for ds in (a, b) if name in ds.field_map]
        if len(holders) != 1:
            raise ValueError(f"datetime_order field {name!r} is not in exactly one of {a.code}, {b.code}")
        owner[name] = holders[0]
    # The child is the one whose single key references the other's single key.
    for parent, child in ((a, b), (b, a)):
        if len(child.key) == 1 and len(parent.key) == 1:
            spec = child.field_map[child.key[0]]
            if spec.references == f"{parent.code}.{parent.key[0]}":
                return OrderRule(chain, owner, parent.code, child.code, child.key[0], text)
    raise ValueError("datetime_order: cannot link its two datasets by key")


@lru_cache(maxsize=1)
def hub_rules() -> HubRules:
    std = load_standard()
    raw = _raw_field_attrs()
    datasets = {}
    for code, ds in std.datasets.items():
        fields, refs, minimums = [], [], []
        for spec in ds.fields:
            fields.append(FieldRule(spec.name, label(spec), spec.required, build_value_check(spec, std.code_sets)))
            if spec.references:
                target, target_field = spec.references.split(".")
                if std.datasets[target].key != (target_field,):
                    raise ValueError(f"{code}.{spec.name}: the hub resolves references to a dataset's key only")
                refs.append(Reference(spec.name, label(spec), target, spec.type.base == "list", bool(spec.pii)))
            if spec.min_items is not None:
                minimums.append(MinItems(spec.name, label(spec), spec.min_items,
                                         raw[(code, spec.name)].get("min_items_summary")))
        datasets[code] = DatasetRules(
            code=code, key=ds.key, names=frozenset(ds.field_map), fields=tuple(fields),
            min_items=tuple(minimums), references=tuple(refs),
            labels={spec.name: label(spec) for spec in ds.fields})
    return HubRules(datasets=datasets, order=_order_rule(std))
