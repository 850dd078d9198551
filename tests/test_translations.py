"""The message catalogues: Indonesian complete and compiled, English present.

Indonesian is the default interface language, so an untranslated or fuzzy entry shows
English to a social worker, and a lost placeholder breaks the message at run time. These
checks read the catalogues with polib and need no database.
"""

import re
from pathlib import Path

import polib
import pytest
from django.utils import translation

LOCALE = Path(__file__).resolve().parent.parent / "atensi" / "locale"
LANGUAGES = ["id", "en"]

# %(name)s, %(size).1f, %s, %d …; "%%" is a literal percent sign, not a placeholder.
PLACEHOLDER = re.compile(r"%%|%(?:\([^)]*\))?[#0 +-]*(?:\d+|\*)?(?:\.\d+)?[diouxXeEfFgGcrsa]")


def po_path(lang: str) -> Path:
    return LOCALE / lang / "LC_MESSAGES" / "django.po"


def mo_path(lang: str) -> Path:
    return LOCALE / lang / "LC_MESSAGES" / "django.mo"


def live_entries(po: polib.POFile) -> list[polib.POEntry]:
    return [e for e in po if not e.obsolete]


def placeholders(text: str) -> list[str]:
    return sorted(p for p in PLACEHOLDER.findall(text) if p != "%%")


def catalogue(mo: polib.MOFile) -> dict[tuple[str | None, str], object]:
    """Every translated message of a compiled catalogue, keyed by context and msgid."""
    result = {}
    for e in mo:
        key = (e.msgctxt, e.msgid)
        result[key] = dict(e.msgstr_plural) if e.msgid_plural else e.msgstr
    return result


@pytest.fixture(scope="module")
def id_po() -> polib.POFile:
    return polib.pofile(str(po_path("id")))


def label(entry: polib.POEntry) -> str:
    return f"{entry.msgid!r} ({', '.join(f for f, _ in entry.occurrences)})"


def test_indonesian_catalogue_has_no_untranslated_entries(id_po):
    untranslated = [label(e) for e in id_po.untranslated_entries()]
    assert not untranslated, "untranslated:\n" + "\n".join(untranslated)


def test_indonesian_catalogue_has_no_fuzzy_entries(id_po):
    assert not id_po.metadata_is_fuzzy
    fuzzy = [label(e) for e in id_po.fuzzy_entries()]
    assert not fuzzy, "fuzzy (check the translation, then remove the flag):\n" + "\n".join(fuzzy)


def test_indonesian_plural_forms(id_po):
    assert id_po.metadata["Language"] == "id"
    assert id_po.metadata["Plural-Forms"].replace(" ", "") == "nplurals=1;plural=0;"
    for e in live_entries(id_po):
        if e.msgid_plural:
            assert set(e.msgstr_plural) == {0}, label(e)


def test_python_format_entries_keep_their_placeholders(id_po):
    wrong = []
    for e in live_entries(id_po):
        if "python-format" not in e.flags:
            continue
        expected = placeholders(e.msgid)
        translations = e.msgstr_plural.values() if e.msgid_plural else [e.msgstr]
        for msgstr in translations:
            if placeholders(msgstr) != expected:
                wrong.append(f"{label(e)}: {placeholders(msgstr)} instead of {expected}")
    assert not wrong, "placeholders differ:\n" + "\n".join(wrong)


def test_no_entry_gains_a_placeholder_its_msgid_lacks(id_po):
    # An entry without the python-format flag is used as is; a "%(x)s" in its translation
    # would be shown raw, so it has to come from the msgid.
    wrong = [
        label(e)
        for e in live_entries(id_po)
        if "python-format" not in e.flags
        and not e.msgid_plural
        and e.msgstr
        and not set(placeholders(e.msgstr)) <= set(placeholders(e.msgid))
    ]
    assert not wrong, "\n".join(wrong)


def test_english_catalogue_lists_the_same_messages(id_po):
    en_po = polib.pofile(str(po_path("en")))
    assert en_po.metadata["Language"] == "en"
    assert {(e.msgctxt, e.msgid) for e in live_entries(en_po)} == {
        (e.msgctxt, e.msgid) for e in live_entries(id_po)
    }


@pytest.mark.parametrize("lang", LANGUAGES)
def test_compiled_catalogue_matches_the_po_file(lang, tmp_path):
    """The committed .mo holds exactly what compiling the .po gives (run compilemessages)."""
    assert mo_path(lang).exists(), f"{mo_path(lang)} is missing: run compilemessages"
    fresh = tmp_path / "django.mo"
    polib.pofile(str(po_path(lang))).save_as_mofile(str(fresh))
    expected = catalogue(polib.mofile(str(fresh)))
    committed = catalogue(polib.mofile(str(mo_path(lang))))
    stale = sorted(
        str(key[1])
        for key in expected.keys() | committed.keys()
        if expected.get(key) != committed.get(key)
    )
    assert not stale, (
        f"{mo_path(lang)} is out of date for {len(stale)} messages, e.g. {stale[:5]}: "
        "run `manage.py compilemessages`"
    )


def test_interface_is_indonesian_by_default_and_english_on_request():
    with translation.override("id"):
        assert translation.gettext("Log in") == "Masuk"
        assert translation.gettext("Referral") == "Rujukan"
        assert translation.gettext("Good day, %(name)s") % {"name": "Sari"} == (
            "Selamat datang, Sari"
        )
    with translation.override("en"):
        assert translation.gettext("Log in") == "Log in"
        assert translation.gettext("Referral") == "Referral"


def test_a_whole_number_is_asked_for_in_plain_indonesian():
    """Django's own "Masukkan keseluruhan angka bilangan." read oddly under a quantity of
    1.5: the project's catalogue says it plainly."""
    from django import forms

    with translation.override("id"):
        with pytest.raises(forms.ValidationError) as refused:
            forms.IntegerField().clean("1.5")
        said = refused.value.messages  # a lazy text: read while Indonesian is active

    assert said == ["Masukkan bilangan bulat."]
