"""The inventory services: the only writers of stock movements and balances.

``ledger`` posts, reverses, reserves and links; ``repair`` rebuilds balances from movements;
``bulk`` loads generated data; ``adjustments`` owns the stock adjustment documents.
The public names are re-exported here so callers import from ``apps.inventory.services``.
"""

from apps.inventory.services.adjustments import (
    ADJUSTMENT_HEADER_FIELDS,
    ADJUSTMENT_PIPELINE,
    AdjustmentLineInput,
    adjustment_lines_with_hidden_costs,
    needs_approval,
    stock_adjustment_approve,
    stock_adjustment_create,
    stock_adjustment_post,
    stock_adjustment_reverse,
    stock_adjustment_transition,
    stock_adjustment_update,
)
from apps.inventory.services.bulk import (
    BULK_COLUMNS,
    BULK_ORDER,
    stock_balances_sync,
    stock_ledger_bulk_append,
    stock_ledger_bulk_check,
    stock_ledger_bulk_prepare,
    stock_ledger_bulk_reset_sequences,
)
from apps.inventory.services.documents import document_post, posting_key
from apps.inventory.services.ledger import (
    ADJUSTMENT_DOCUMENT_TYPE,
    BalanceKey,
    InsufficientStock,
    ReservationLine,
    Shortage,
    StockLine,
    stock_lines_link,
    stock_post,
    stock_posting_reverse,
    stock_reserve,
)
from apps.inventory.services.levels import (
    KEEP,
    StockLevelInput,
    stock_levels_bulk_set,
)
from apps.inventory.services.repair import (
    RepairedBalance,
    stock_balances_rebuild,
)

__all__ = [
    "ADJUSTMENT_DOCUMENT_TYPE",
    "ADJUSTMENT_HEADER_FIELDS",
    "ADJUSTMENT_PIPELINE",
    "BULK_COLUMNS",
    "BULK_ORDER",
    "KEEP",
    "AdjustmentLineInput",
    "BalanceKey",
    "InsufficientStock",
    "RepairedBalance",
    "ReservationLine",
    "Shortage",
    "StockLevelInput",
    "StockLine",
    "adjustment_lines_with_hidden_costs",
    "document_post",
    "needs_approval",
    "posting_key",
    "stock_adjustment_approve",
    "stock_adjustment_create",
    "stock_adjustment_post",
    "stock_adjustment_reverse",
    "stock_adjustment_transition",
    "stock_adjustment_update",
    "stock_balances_rebuild",
    "stock_balances_sync",
    "stock_ledger_bulk_append",
    "stock_ledger_bulk_check",
    "stock_ledger_bulk_prepare",
    "stock_ledger_bulk_reset_sequences",
    "stock_levels_bulk_set",
    "stock_lines_link",
    "stock_post",
    "stock_posting_reverse",
    "stock_reserve",
]
