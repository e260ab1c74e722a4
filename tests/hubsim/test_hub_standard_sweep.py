"""Every field of every dataset, read from the standard's YAML: the hub's checks follow the document,
not a list of fields written into the simulator."""
from __future__ import annotations

import pytest

from jiandu.standard import load_standard

from hubkit import V2, Hub, Region, key_of, new_region, upsert

STANDARD = load_standard()


@pytest.fixture(scope="module")
def reg(hub_url) -> Region:
    return Region(new_region()).seed(Hub(hub_url))


def mutants(reg: Region, dataset: str):
    """(record, code, field) for each field: left out when required, of the wrong JSON type, too long."""
    valid = reg.valid(dataset)
    key = key_of(dataset, valid)
    for spec in STANDARD.datasets[dataset].fields:
        if spec.required:
            data = {k: v for k, v in valid.items() if k != spec.name}
            yield upsert(dataset, data, V2, key), "FIELD_REQUIRED", spec.name
        yield upsert(dataset, dict(valid, **{spec.name: {"nested": 1}}), V2, key), "FIELD_TYPE", spec.name
        t = spec.type.item if spec.type.base == "list" else spec.type
        if t.base == "string":
            long = "长" * (t.length + 1)
            value = [long] if spec.type.base == "list" else long
            yield upsert(dataset, dict(valid, **{spec.name: value}), V2, key), "FIELD_TOO_LONG", spec.name


@pytest.mark.parametrize("dataset", list(STANDARD.datasets))
def test_every_field_of_the_standard_is_checked(hub, reg, dataset):
    assert hub.judge(dataset, reg.code, upsert(dataset, reg.valid(dataset), "2026-03-01T12:00:00+08:00")) == {}
    cases = list(mutants(reg, dataset))
    receipt = hub.push(dataset, reg.code, [rec for rec, _, _ in cases]).json()
    got = [(x["code"], x["field"]) for x in receipt["rejected"]]
    assert got == [(code, field) for _, code, field in cases]
