"""Personal data masked as the standard's ``masking`` says, for everything outside the hub push:
API answers, the audit log, the web UI and public notices. Only the change feed, read by the
authorised pipeline, carries full values.
"""
from __future__ import annotations

from typing import Any, Mapping

from jiandu.standard import (
    load_standard, mask_credential, mask_person_name, mask_resident_id, mask_resident_ids_in_text,
)

from caseentry.labels import ENTITY_DATASET

NATURAL_PERSON = "1"


def _mask_value(mask: str | None, value: Any, record: Mapping[str, Any]) -> Any:
    if not isinstance(value, str):
        return value
    if mask == "person_name":
        return mask_person_name(value)
    if mask == "resident_id":
        return mask_resident_id(value)
    if mask == "by_credential_type":
        return mask_credential(record.get("credential_type"), value)
    return mask_credential(None, value)


def mask_record(entity: str, record: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of a standard-form record (see records.py) with its personal data masked.

    Fields marked pii are masked by their mask; ``when_natural_person`` fields only for party
    type 1. Then any resident-ID number left in any text is masked (resident_id_anywhere), which
    also covers an individual business (type 4) registered under its owner's ID number.
    """
    ds = load_standard().datasets[ENTITY_DATASET[entity]]
    out = dict(record)
    for f in ds.fields:
        if f.name not in out or not f.pii:
            continue
        if f.pii == "when_natural_person" and record.get("party_type") != NATURAL_PERSON:
            continue
        out[f.name] = _mask_value(f.mask, out[f.name], record)
    return _mask_ids_deep(out)


def _mask_ids_deep(value: Any) -> Any:
    if isinstance(value, str):
        return mask_resident_ids_in_text(value)
    if isinstance(value, dict):
        return {k: _mask_ids_deep(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_mask_ids_deep(v) for v in value]
    return value
