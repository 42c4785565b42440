"""After-commit listeners of the ledger: other apps learn that stock moved without the ledger
importing them (alerts, notifications). Listeners run after the posting's transaction commits,
never inside it, and a failing listener is logged, not raised: the posting stands."""

import logging
from collections.abc import Callable
from dataclasses import dataclass

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Posted:
    """What a committed posting changed: its document and the (product, warehouse) balances it moved."""

    document_type: str
    document_number: str
    keys: frozenset[tuple[int, int]]


_listeners: list[Callable[[Posted], None]] = []


def on_stock_posted(listener: Callable[[Posted], None]) -> None:
    """Register ``listener`` (from an AppConfig.ready); registering twice keeps one."""
    if listener not in _listeners:
        _listeners.append(listener)


def stock_posted(event: Posted) -> None:
    """Call every listener with ``event`` (the ledger schedules this with ``transaction.on_commit``)."""
    for listener in _listeners:
        try:
            listener(event)
        except Exception:  # a listener's failure must not undo or fail a committed posting
            logger.exception("stock posting listener %s failed for %s", listener, event.document_number)
