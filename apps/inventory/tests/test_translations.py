from pathlib import Path

import polib
from django.utils import translation

CATALOG = Path(__file__).resolve().parent.parent / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"


def test_every_inventory_message_has_a_zh_hans_translation():
    catalog = polib.pofile(str(CATALOG))

    assert [entry.msgid for entry in catalog if not entry.translated() or entry.fuzzy] == []


def test_glossary_terms_are_used():
    with translation.override("zh-hans"):
        terms = [
            translation.gettext(text)
            for text in ("Stock on hand", "Stock ledger", "Stock balance report", "Opening stock", "Stock adjustment")
        ]

    assert terms == ["即时库存", "库存流水", "库存余额表", "期初库存", "库存调整单"]
