"""Only the ledger modules of apps/inventory/services/ write the ledger: other code can't bypass the posting service.

The source tree (apps/**.py, without migrations and tests) is parsed, not just grepped, so a
write split over several lines (``StockBalance.objects.filter(...)\\n.update(...)``) is caught.
Flagged: a write method (create, bulk_create, update, bulk_update, get_or_create,
update_or_create, save, delete) called on a chain that starts at StockMovement, StockBalance or
StockPosting; instantiating one of them; raw SQL that inserts into, updates or deletes from
their tables.
"""

import ast
import re
from pathlib import Path

from django.conf import settings

LEDGER_MODELS = {"StockMovement", "StockBalance", "StockPosting"}
WRITE_METHODS = {
    "create", "bulk_create", "update", "bulk_update", "get_or_create", "update_or_create", "save", "delete",
}  # fmt: skip
RAW_WRITE = re.compile(
    r"\b(INSERT\s+INTO|UPDATE|DELETE\s+FROM|COPY)\s+\"?inventory_stock(movement|balance|posting)\b", re.IGNORECASE
)
# The posting engine, its repair and its bulk loader; adjustment documents post through stock_post like any other.
THE_WRITERS = {Path("apps/inventory/services") / name for name in ("ledger.py", "repair.py", "bulk.py")}


def _chain_root(node: ast.AST) -> str | None:
    while True:
        if isinstance(node, ast.Call):
            node = node.func
        elif isinstance(node, (ast.Attribute, ast.Subscript)):
            node = node.value
        elif isinstance(node, ast.Name):
            return node.id
        else:
            return None


def ledger_writes(source: str) -> list[str]:
    """The ledger writes in ``source``, as "line: what" strings."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if isinstance(func, ast.Name) and func.id in LEDGER_MODELS:
            found.append(f"{node.lineno}: {func.id}(...) instantiated")
        elif isinstance(func, ast.Attribute) and func.attr in WRITE_METHODS and _chain_root(func) in LEDGER_MODELS:
            found.append(f"{node.lineno}: {_chain_root(func)}….{func.attr}()")
    found += [
        f"{source.count(chr(10), 0, match.start()) + 1}: raw SQL {match.group(0)!r}"
        for match in RAW_WRITE.finditer(source)
    ]
    return found


def test_the_detector_finds_writes_however_they_are_spelled():
    source = """
StockBalance.objects.filter(pk=1).update(on_hand=0)
StockMovement.objects.bulk_create([])
StockPosting.objects.filter(
    pk=1,
).delete()
balance = StockBalance(product_id=1)
cursor.execute("UPDATE inventory_stockbalance SET on_hand = 0")
StockBalance.objects.filter(pk=1).values_list("on_hand")
"""
    assert [line.split(":")[0] for line in ledger_writes(source)] == ["2", "3", "4", "7", "8"]


def test_only_the_posting_service_writes_the_ledger():
    root = Path(settings.BASE_DIR)
    offenders = []
    for path in sorted((root / "apps").rglob("*.py")):
        relative = path.relative_to(root)
        if "migrations" in relative.parts or "tests" in relative.parts or relative in THE_WRITERS:
            continue
        offenders += [f"{relative}:{hit}" for hit in ledger_writes(path.read_text(encoding="utf-8"))]

    assert offenders == [], "write stock only through apps.inventory.services (stock_post & co.)"
