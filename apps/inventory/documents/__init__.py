"""What stock documents add to the document core: the posting link and the one posting path.

A stock document (采购入库单, 采购退货单, 销售出库单, 销售退货单, 其他入库/出库单, 库存调整单, and the
next ones: 调拨单, 盘点单) declares

* a header model inheriting :class:`apps.inventory.documents.models.StockDocument` and a line model inheriting
  :class:`StockDocumentLine`;
* a :class:`~apps.core.documents.pipeline.Pipeline` with a ``post`` row;
* a function turning its locked lines into ``StockLine`` rows;

and posts with ``apps.inventory.services.document_post``, which does the rest in a constant number of queries:
the idempotency key, ``stock_post``, the movement links (one statement), the status stamp and
the audit row. ``scope.warehouse_scoped`` applies the user's warehouse scope to its lists,
pages, prints, exports and commands the same way for every document.
"""
