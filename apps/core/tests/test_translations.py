"""Every zh-hans catalog is complete and compiled.

Fails listing each untranslated or fuzzy message, and each catalog whose committed ``.mo`` does
not hold exactly the translations of its ``.po`` (a forgotten ``compilemessages``).
"""

from pathlib import Path

import polib
import pytest
from django.conf import settings

CATALOG = Path("zh_Hans") / "LC_MESSAGES" / "django.po"
CATALOGS = [*sorted((settings.BASE_DIR / "apps").glob(f"*/locale/{CATALOG}")), settings.BASE_DIR / "locale" / CATALOG]

# Catalogs of apps being built on parallel branches; their owners translate them. strict: once a
# catalog is complete this fails (XPASS), as a reminder to take it off the list.
PENDING_CATALOGS: set[str] = set()


def _owner(po_path: Path) -> str:
    relative = po_path.relative_to(settings.BASE_DIR)
    return relative.parts[1] if relative.parts[0] == "apps" else "project"


def _params() -> list:
    params = []
    for po_path in CATALOGS:
        owner = _owner(po_path)
        marks = []
        if owner in PENDING_CATALOGS:
            marks.append(pytest.mark.xfail(reason=f"{owner} is translated on its own branch", strict=True))
        params.append(pytest.param(po_path, id=owner, marks=marks))
    return params


def _messages(catalog) -> dict:
    """``{(context, msgid): translation}`` of the translated, non-fuzzy entries."""
    messages = {}
    for entry in catalog.translated_entries():
        if "fuzzy" in entry.flags:
            continue
        key = (entry.msgctxt, entry.msgid, entry.msgid_plural)
        messages[key] = tuple(sorted(entry.msgstr_plural.items())) if entry.msgid_plural else entry.msgstr
    return messages


def test_every_catalog_is_found():
    assert {_owner(path) for path in CATALOGS} >= {"project", "core", "accounts"}


@pytest.mark.parametrize("po_path", _params())
def test_catalog_is_fully_translated(po_path):
    catalog = polib.pofile(str(po_path))

    problems = [f"untranslated: {entry.msgid!r}" for entry in catalog.untranslated_entries()]
    problems += [f"fuzzy: {entry.msgid!r}" for entry in catalog.fuzzy_entries()]

    assert problems == [], f"{po_path.relative_to(settings.BASE_DIR)}:\n" + "\n".join(problems)


@pytest.mark.parametrize("po_path", _params())
def test_compiled_catalog_matches_its_source(po_path):
    mo_path = po_path.with_suffix(".mo")
    assert mo_path.exists(), f"{mo_path.relative_to(settings.BASE_DIR)} is missing: run compilemessages"

    source = _messages(polib.pofile(str(po_path)))
    compiled = _messages(polib.mofile(str(mo_path)))

    stale = sorted(str(key[1]) for key in source.keys() ^ compiled.keys())
    stale += sorted(str(key[1]) for key in source.keys() & compiled.keys() if source[key] != compiled[key])
    assert stale == [], f"{mo_path.relative_to(settings.BASE_DIR)} is stale, run compilemessages: {stale}"


def test_a_message_means_the_same_in_every_catalog():
    """Django merges all catalogs into one: an earlier app's translation hides a later app's.

    Two catalogs translating the same msgid differently means one of them is silently ignored;
    use the same term (the glossary's) or a more specific msgid or context (pgettext).
    """
    seen: dict[tuple, dict[str, str]] = {}
    for po_path in CATALOGS:
        for entry in polib.pofile(str(po_path)).translated_entries():
            seen.setdefault((entry.msgctxt, entry.msgid), {})[_owner(po_path)] = entry.msgstr

    conflicts = {key[1]: owners for key, owners in seen.items() if len(set(owners.values())) > 1}

    assert conflicts == {}
