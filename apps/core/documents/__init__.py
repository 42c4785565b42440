"""The document core: what every business document (单据) shares.

A document is declared, not written by hand:

* its header model inherits :class:`apps.core.documents.models.Document` (number, status,
  remarks, created_by, created_at, updated_at) — stock documents inherit
  ``apps.inventory.documents.StockDocument``, which adds the posting link;
* its status pipeline is a :class:`apps.core.documents.pipeline.Pipeline` of ``Transition`` rows
  (from, to, permission, label, style, "not on one's own document");
* its views are built by :mod:`apps.core.documents.views` (one command view, one save-then-post
  helper, one-time form tokens) and its templates include the partials in
  ``templates/documents/``.

See ``docs/adr/0006-document-core.md``.
"""
