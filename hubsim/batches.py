"""One pushed batch, from the Idempotency-Key check to the stored receipt (hub-api.md "Pushing a batch").

The checks before this point (429/503, 401, 404, a missing key) are the app's; from "a key
already answered" on, everything happens here, in one database transaction, in the document's
order: the key's first receipt, over 5 MiB (413), shape (422), over 500 records (413), then each
record. Nothing of a 413 or 422 is kept.
"""
from __future__ import annotations

from dataclasses import dataclass

from hubsim.answers import BATCH_MALFORMED, BATCH_TOO_LARGE
from hubsim.body import MAX_BODY_BYTES, MAX_RECORDS, Malformed, parse_batch, to_json
from hubsim.judge import read_record, settle, wanted_keys
from hubsim.rules import HubRules
from hubsim.store import Store


@dataclass(frozen=True)
class Answer:
    status: int
    body: str                 # JSON text
    committed: bool = False   # a new batch was stored by this call


def _error(status: int, code: str) -> Answer:
    return Answer(status, to_json({"code": code}))


class BatchDesk:
    def __init__(self, store: Store, rules: HubRules) -> None:
        self.store, self.rules = store, rules

    def receive(self, batch_id: str, dataset: str, body: bytes, size: int) -> Answer:
        """``body`` holds at most MAX_BODY_BYTES + 1 bytes; ``size`` is the body's full length."""
        with self.store.transaction() as tx:
            tx.lock_batch_key(batch_id)
            first = tx.find_receipt(batch_id)
            if first is not None:
                return Answer(200, first)
            if size > MAX_BODY_BYTES:
                return _error(413, BATCH_TOO_LARGE)
            try:
                batch = parse_batch(body, batch_id)
            except Malformed:
                return _error(422, BATCH_MALFORMED)
            if len(batch.records) > MAX_RECORDS:
                return _error(413, BATCH_TOO_LARGE)

            rules = self.rules.datasets[dataset]
            items = [read_record(rules, rec) for rec in batch.records]
            pairs, with_data = wanted_keys(self.rules, dataset, items)
            tx.lock_region(batch.region_code)
            held = tx.load_held(batch.region_code, pairs, with_data)
            outcome = settle(self.rules, dataset, batch.region_code, items, held)

            data_json = {k: (to_json(h.data) if h.live else None) for k, h in outcome.writes.items()}
            tx.save_records(dataset, batch.region_code, batch_id, outcome.writes, data_json)
            receipt = to_json(outcome.receipt(batch_id))
            tx.save_receipt(batch_id, dataset, batch.region_code, receipt)
            tx.commit()
            self.store.count(statements=0, batches=1)
            return Answer(200, receipt, committed=True)
