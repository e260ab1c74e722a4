"""Push rules proven on generated data: rejections reach the stewards and go once fixed, the
5 MiB limit is kept on the bytes sent, a record that comes back after its deletion is live at the
hub again, and the JSON PostgreSQL writes is the standard's."""
from __future__ import annotations

from connectors.hub_push import MAX_BYTES
from hubsim.store import held_records, live_records

from hubsoak import assert_hub_equals_warehouse
from standard_gen import parents


def test_a_rejected_record_shows_in_the_stewards_queue_and_is_accepted_once_fixed(env):
    total = env.fill(400)
    bad_party, good_no = parents()["parties"][3]
    wrong = good_no[:-1] + ("0" if good_no[-1] != "0" else "1")              # wrong check digit
    with env.connect() as conn:
        conn.execute("update standard.zf04_party set credential_no = %s where party_id = %s", (wrong, bad_party))
        conn.commit()
    report = env.push()
    with env.connect() as conn:
        issues = conn.execute("select dataset, rule, field, status, message from quality.issue"
                              " where dataset = 'ZF04'").fetchall()
        waiting = conn.execute("select dataset, reject_code, count(*) from ops.push_state where outcome = 'rejected'"
                               " group by 1, 2 order by 1").fetchall()
    assert [(d, r, f, s) for d, r, f, s, _ in issues] == [("ZF04", "HUB_CHECKSUM", "credential_no", "open")]
    assert "拒收" in issues[0][4] and wrong not in issues[0][4]     # personal data never in the steward's text
    # its cases could only be refused for the missing party, and their steps for the missing cases
    cases = 400 // 40
    assert waiting == [("ZF04", "CHECKSUM", 1), ("ZF10", "REFERENCE_MISSING", cases),
                       ("ZF20", "REFERENCE_MISSING", cases)]
    assert report.rejected == 1 + 2 * cases
    assert bad_party not in live_records(env.hub_db, "ZF04", env.region)

    with env.connect() as conn:                                 # the steward's fix changes the version
        conn.execute("update standard.zf04_party set credential_no = %s,"
                     " record_version = record_version + interval '1 hour' where party_id = %s", (good_no, bad_party))
        conn.commit()
    env.push_until_done()
    with env.connect() as conn:
        assert conn.execute("select count(*) from quality.issue where status = 'open'").fetchone()[0] == 0
        assert conn.execute("select count(*) from ops.push_state where outcome = 'rejected'").fetchone()[0] == 0
    assert_hub_equals_warehouse(env, total)


def test_batches_keep_under_5_mib_as_sent_even_with_long_chinese_text(env):
    env.fill(500)
    # 500 notices of 4,000 Chinese characters: 12 kB each in UTF-8, 24 kB as \\u escapes
    with env.connect() as conn:
        conn.execute("insert into standard.zf30_publicity (case_id, published_at, public_text, record_key, record_version)"
                     " select case_id, registered_at, repeat('罚', 3990) || case_id, case_id, record_version"
                     " from standard.zf10_case")
        conn.commit()
    report = env.push()
    assert report.stopped is None and report.rejected == 0
    with env.connect() as conn:
        sizes = conn.execute("select record_count, octet_length(body::text) from ops.push_batch"
                             " where dataset = 'ZF30' order by created_at").fetchall()
        failed = conn.execute("select count(*) from ops.push_batch where status <> 'sent'").fetchone()[0]
    assert failed == 0 and len(sizes) >= 2 and sum(n for n, _ in sizes) == 500
    assert all(size < MAX_BYTES * 1.01 for _, size in sizes)
    assert len(live_records(env.hub_db, "ZF30", env.region)) == 500


def test_a_record_back_after_its_deletion_was_pushed_is_live_at_the_hub_again(env):
    env.fill(50)
    env.push_until_done()
    with env.connect() as conn:
        row = conn.execute("delete from standard.zf20_case_step where record_key = 'LP:7|1' returning *").fetchone()
        conn.commit()
    env.push_until_done()
    assert held_records(env.hub_db, "ZF20", env.region)["LP:7|1"][1] is True           # a tombstone
    with env.connect() as conn:                                # back, same content, same (older) version
        conn.execute("insert into standard.zf20_case_step values (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)", row)
        conn.commit()
    env.push_until_done()
    assert "LP:7|1" in live_records(env.hub_db, "ZF20", env.region)
    with env.connect() as conn:
        n = conn.execute("select count(*) from standard.zf20_case_step").fetchone()[0]
    assert len(live_records(env.hub_db, "ZF20", env.region)) == n
    again = env.push()
    assert again.records_sent == 0            # and it is not sent again and again


def test_postgresql_renders_every_field_type_as_render_value_does(env):
    """record_rows has PostgreSQL write the JSON; render_value is the reading of the standard's
    types it must equal, for every dataset and type, nulls and awkward values included."""
    import json

    from psycopg import sql
    from psycopg.rows import dict_row

    from connectors.hub_push import record_rows, render_value, table_of
    from jiandu.standard import PUSH_ORDER, load_standard

    env.fill(3)
    with env.connect() as conn:
        conn.execute("""insert into standard.zf12_penalty (case_id, decision_no, decision_at, penalty_kinds, fine_amount,
                            confiscation_amount, hearing_requested, execution_status, record_key, record_version)
                        values ('LP:1', '罚"字\\1号', '2026-03-10 23:30:00+00', array['03', '01', '03'], 1234.5, 0, false,
                                '1', 'LP:1', now()),
                               ('LP:2', null, null, array[]::varchar[], null, -0.01, null, null, 'LP:2', now())""")
        conn.execute("""insert into standard.zf13_coercion (case_id, measure_seq, coercion_kind, measure_code, started_at,
                            term_days, emergency, record_key, record_version)
                        values ('LP:1', 2, '1', '02', '2026-02-28 16:00:00+00', 30, true, 'LP:1|2', now())""")
        conn.execute("""insert into standard.zf11_inspection (case_id, inspection_kind, inspected_at, result,
                            rectify_deadline, record_key, record_version)
                        values ('LP:3', '01', '2026-03-02 10:00:00+08', '02', '2026-04-01', 'LP:3', now())""")
        conn.execute("""insert into standard.zf30_publicity (case_id, published_at, public_text, record_key, record_version)
                        values ('LP:3', '2026-03-15 10:00:00+08', E'换行\\n与制表\\t及“引号”', 'LP:3', now())""")
        conn.commit()
        std = load_standard()
        checked = 0
        for code in PUSH_ORDER:
            ds = std.datasets[code]
            raw = {r["record_key"]: r for r in conn.cursor(row_factory=dict_row).execute(
                sql.SQL("select * from standard.{}").format(sql.Identifier(table_of(ds))))}
            for rec in record_rows(conn, ds, sql.SQL("true"), {}, f"check_{code}"):
                sent = json.loads(rec.encoded)
                want = {f.name: render_value(f, raw[rec["record_key"]][f.name]) for f in ds.fields}
                assert sent["data"] == want, code
                assert (sent["record_key"], sent["op"]) == (rec["record_key"], "upsert")
                checked += 1
        assert checked == 3 + 3 + 56 + 2 + 1 + 1 + 1


def test_a_record_whose_new_version_was_rejected_and_then_removed_is_deleted_at_the_hub(env):
    env.fill(20)
    env.push_until_done()
    with env.connect() as conn:             # a new version the hub refuses (unknown code)...
        conn.execute("update standard.zf10_case set status = 'ZZ', record_version = record_version + interval '1 day'"
                     " where case_id = 'LP:4'")
        conn.commit()
    env.push()
    with env.connect() as conn:
        assert conn.execute("select status from quality.issue where record_key = 'LP:4' and rule = 'HUB_CODE_UNKNOWN'"
                            ).fetchone() == ("open",)
        # ...then the case is withdrawn at its source: the old version still live at the hub must go
        conn.execute("delete from standard.zf20_case_step where case_id = 'LP:4'")
        conn.execute("delete from standard.zf10_case where case_id = 'LP:4'")
        conn.commit()
    env.push_until_done()
    assert "LP:4" not in live_records(env.hub_db, "ZF10", env.region)
    with env.connect() as conn:
        assert conn.execute("select status from quality.issue where record_key = 'LP:4'").fetchone() == ("closed",)
