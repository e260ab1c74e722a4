"""Simulator of the provincial data hub (省政务大数据中心 执法监督主题库 接收接口).

Built to ``standard/hub-api.md`` (trial edition 1.0) and driven by ``supervision-standard.yaml``
through :mod:`jiandu.standard`. The province's real hub is another implementation of the same
document, so the simulator adds no rule of its own to what it states; where the document is silent it
takes the reading below (a deployment must not rely on any of these beyond what the document says).

Readings where hub-api.md is silent
-----------------------------------
Batches
- The batch's ``region_code`` decides where its records are kept and checked; a ``region_code``
  inside ``data`` (ZF01, ZF04, ZF10) is a field like any other.
- Only a 200 receipt answers an Idempotency-Key. A key sent again while its first batch is still
  being judged waits for it and gets its receipt. A 413 or 422 keeps nothing, so the same key may
  be sent again with a corrected body. Keys are compared exactly (case and spaces matter); an
  empty header counts as missing.
- "Over 5 MiB" is a body longer than 5 × 1024 × 1024 bytes. The Content-Type is not checked.
- Not JSON (422) also covers: not UTF-8, NaN/Infinity, a string holding U+0000 or a lone
  surrogate (neither can be stored as text), an integer of over 4300 digits (Python's limit).
  ``records: []`` is a valid, empty batch.
- ``batch_id`` must be a JSON string equal to the header; ``region_code`` a JSON string of six
  ASCII digits. Members the document does not name (in the body or in a record) are ignored.
- A rejected record's ``record_key`` in the receipt is echoed as sent (``null`` when missing).
- ``record_key`` must be a non-empty string of at most 1000 characters (FIELD_TYPE otherwise): no
  key read from valid data can be empty, and no key of the standard comes near that length.
- A delete is judged on step 1 and on its version only; any ``data`` it carries is ignored.
- ``record_version`` and every datetime must also be a real calendar time (2026-02-30 is a
  FIELD_TYPE). All carry +08:00, so their text order is their time order.
- Step 3 for a code field: a value that is not a JSON string is FIELD_TYPE; a string not in the
  code set is CODE_UNKNOWN. An int has no upper bound. Key fields join as sent (an int as its
  decimal digits). A decimal sent as a JSON number is judged on its literal text (1e3 fails).
- A list's items are judged in turn for type, then length, then code set, then check rule; the
  message names the first offending item's position.
- MIN_ITEMS takes the summary minimum (``min_items_summary``) when ``case_type`` is 2 (处罚) and
  ``procedure`` is 1 (简易程序), the case ``rules.officers`` names.
- REFERENCE_MISSING reports the first referencing field (standard order) and, for a list, the
  first unresolved item; a tombstone does not resolve a reference.
- ORDER compares consecutive present fields of the ``datetime_order`` chain; the pushed record's
  values are used for its own dataset, the live held record of the other dataset for the rest.
- A record appearing twice in a batch is judged twice, in order: the second sees the first.
- A resident ID must be ASCII: full-width digits fail CHECKSUM (values are judged as sent).
- Rejection messages never echo the value of a personal-data (pii) field.

Faults, limits and the rest
- 429 and 503 answer every call under ``/api/`` (token and summary included), before anything
  else; the request body is read and discarded first. Other unknown paths get 404
  ``{"code": "NOT_FOUND"}``, a wrong method 405 ``{"code": "METHOD_NOT_ALLOWED"}``.
- The rate limit is one sliding 60-second window per simulator over every ``/api/`` call,
  refused ones included; Retry-After is the whole seconds until a call would pass again.
- A 401 carries ``WWW-Authenticate: Bearer``. The Bearer scheme name is case-insensitive.
- Tokens live in memory: a restarted simulator answers old tokens with 401 (the client then
  fetches a new one, as the document says).
- Fault modes (see :mod:`hubsim.faults`) are a test aid and no part of the document. A slow
  answer is delayed after the work is done (a stored batch whose answer comes too late is the
  harder case for a client). A dropped connection follows the commit of a new batch only.
- ``/_sim/*`` (faults, reset, stats) answers loopback clients only (403 otherwise) and is never
  slowed, limited or failed. The simulator commits with synchronous_commit off: only a crash of
  PostgreSQL itself could lose a batch already answered.
"""
