"""Double-encoded LG text: repaired only when provably reversible."""
import pytest

from connectors import mojibake


def double_encoded(text: str) -> str:
    """What LG's old code paths stored: UTF-8 bytes shown through MySQL's latin1."""
    return mojibake.as_latin1_shown(text.encode("utf-8"))


def test_sample_row_of_lg_sample_sql_is_repaired():
    # The exact values of CG2016-0044 in lg-sample.sql (with U+008D, U+0081, U+008F, U+0090, U+00A0).
    assert mojibake.check("å\x8d\xa0é\x81“ç»\x8fè\x90¥") == mojibake.Verdict("repaired", "占道经营")
    assert mojibake.check("å¼\xa0æŸ\x90æŸ\x90").text == "张某某"


@pytest.mark.parametrize("text", ["张三", "穗城管罚字〔2023〕44号", "罚款；没收违法所得", "４４０１０６１９７５０６１５００２Ｘ",
                                  "某路12号（东门）", "事实清楚，证据充分", "同意“罚款”…—", "A-01 café", ""])
def test_genuine_text_is_left_alone(text):
    assert mojibake.check(text) == mojibake.Verdict("clean", text)


@pytest.mark.parametrize("text", ["张三(44010020150012),李四(44010020150013)", "擅自占用城市道路堆放物料",
                                  "𠀋记餐饮店", "罚款伍仟元；没收违法所得"])
def test_round_trip_of_double_encoding(text):
    assert mojibake.check(double_encoded(text)) == mojibake.Verdict("repaired", text)


def test_mixed_with_genuine_chinese_is_not_guessed():
    verdict = mojibake.check(double_encoded("张三") + "李四")
    assert verdict.kind == "unrepairable" and verdict.text is None
    assert "混杂" in verdict.why


def test_no_break_space_turned_into_space_is_not_guessed():
    # 占 = E5 8D A0: the A0 shows as U+00A0; a client that "cleaned" it into a space broke the bytes.
    broken = double_encoded("占道").replace("\xa0", " ")
    assert mojibake.check(broken).kind == "unrepairable"


def test_truncated_sequence_is_not_guessed():
    assert mojibake.check(double_encoded("占道经营")[:-1]).kind == "unrepairable"


def test_c1_control_cp1252_cannot_produce_is_not_guessed():
    # U+0080 is never MySQL latin1 output (its byte 0x80 shows as '€')
    assert mojibake.check(double_encoded("占道") + "\x80").kind == "unrepairable"


def test_result_that_is_not_chinese_is_not_guessed():
    # 'Ã©' is 'é' double-encoded: reversible, but not the Chinese text this source holds.
    assert mojibake.check("cafÃ©").kind == "unrepairable"


def test_prefilter_covers_every_suspect():
    for text in (double_encoded("张某某"), "å\x8d\xa0", "cafÃ©"):
        assert mojibake.MAYBE.search(text) and mojibake.SUSPECT.search(text)
