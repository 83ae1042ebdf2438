"""Stored sentences (core/wording.py): every template an app registers reads in English as the catalogue
renders it, whatever fills its slots; lists of sentences are rendered part by part; what is not recognised —
a person's own words — comes back as stored; Chinese readers get the stored text untouched."""

from __future__ import annotations

import re

import pytest
from django.utils import translation
from django.utils.translation import gettext

from fugong.core import wording

SLOT = re.compile(r"%\((\w+)\)([sd])")


def sample(msgid: str) -> dict[str, object]:
    """Slot values no template recognises: kept as they are by the rendering (numbers as numbers)."""
    return {name: (7 if kind == "d" else f"甲{i}") for i, (name, kind) in enumerate(SLOT.findall(msgid))}


def test_every_app_registers_its_sentences():
    msgids = set(wording.registered())
    from fugong.enterprises import wording as enterprises
    from fugong.resumption import wording as resumption
    from fugong.screening import wording as screening
    from fugong.supplies import wording as supplies
    from fugong.workforce import wording as workforce

    assert {resumption.INSPECTION, resumption.FILED, supplies.CORRECTION, screening.FEVER_ALERT} <= msgids
    assert {screening.GATE_IMPORT, workforce.ROSTER_IMPORT, enterprises.EXCEL_IMPORT} <= msgids


@pytest.mark.parametrize("msgid", wording.registered())
def test_each_registered_sentence_reads_in_english_as_the_catalogue_gives_it(msgid):
    values = sample(msgid)
    stored = msgid % values
    with translation.override("en"):
        english = gettext(msgid) % values
    assert english != stored, f"no English for {msgid!r}"
    assert wording.in_reader_language(stored, "en") == english
    assert wording.in_reader_language(stored, "zh-hans") == stored


def test_a_list_of_sentences_is_rendered_part_by_part_and_nested_sentences_too():
    from fugong.resumption import wording as resumption

    stored = resumption.inspection_summary(2, [("消毒", "2020-03-05"), ("测温", "2020-03-06")])
    assert stored == "第2次现场核查：消毒不合格，2020-03-05前整改；测温不合格，2020-03-06前整改"
    assert wording.in_reader_language(stored, "en") == (
        "On-site check no. 2: 消毒 failed, rectify by 2020-03-05; 测温 failed, rectify by 2020-03-06"
    )
    assert wording.in_reader_language(resumption.inspection_summary(1, []), "en") == "On-site check no. 1: All passed"


@pytest.mark.parametrize("typed", ["已按要求整改完毕", "消毒：已补齐记录；测温：已更换测温枪", "", "第1次现场核查"])
def test_what_a_person_typed_comes_back_as_stored(typed):
    assert wording.in_reader_language(typed, "en") == typed


def test_the_sentences_of_one_message_are_joined_as_the_readers_language_writes_them():
    from fugong.resumption.services import ResumptionError

    error = ResumptionError({"a": "请上传疫情防控方案", "b": "请上传应急处置预案"})
    assert error.message == "请上传疫情防控方案；请上传应急处置预案"
    with translation.override("en"):
        assert error.message == "请上传疫情防控方案; 请上传应急处置预案"  # the reader's punctuation
        assert wording.joined(["Upload the plan", "Upload the drill"]) == "Upload the plan; Upload the drill"
