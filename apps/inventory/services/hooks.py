"""After-commit listeners of the ledger: other apps learn that stock moved without the ledger
importing them (alerts, notifications). Listeners run after the posting's transaction commits,
never inside it, and a failing listener is logged, not raised: the posting stands.

The same for stock counts submitted or posted (the count variance alert).

And the posting clock: a trusted caller (the demo history) posts documents through their own
services as of a past moment, which ``stock_post`` takes as its ``posted_at``."""

import contextlib
import contextvars
import datetime
import logging
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Posted:
    """What a committed posting changed: its document and the (product, warehouse) balances it moved,
    with each one's available quantity (on hand − reserved) right after the posting and, when the
    ledger read them under its locks, the (safety stock, reorder point) of those that have either
    (``None``: not read)."""

    document_type: str
    document_number: str
    keys: frozenset[tuple[int, int]]
    available: Mapping[tuple[int, int], Decimal] = field(default_factory=dict)
    thresholds: Mapping[tuple[int, int], tuple[Decimal, Decimal]] | None = None


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


@dataclass(frozen=True)
class CountReviewed:
    """A stock count was submitted for review or posted (``action``); its variance values are stamped."""

    count_id: int
    action: str


_count_listeners: list[Callable[[CountReviewed], None]] = []


def on_stock_count_reviewed(listener: Callable[[CountReviewed], None]) -> None:
    """Register ``listener`` for submitted and posted counts (from an AppConfig.ready); twice keeps one."""
    if listener not in _count_listeners:
        _count_listeners.append(listener)


def stock_count_reviewed(event: CountReviewed) -> None:
    """Call every count listener with ``event`` (scheduled with ``transaction.on_commit``)."""
    for listener in _count_listeners:
        try:
            listener(event)
        except Exception:  # a listener's failure must not fail a committed count
            logger.exception("stock count listener %s failed for count %s", listener, event.count_id)


_clock: contextvars.ContextVar[datetime.datetime | None] = contextvars.ContextVar("posting_clock", default=None)


@contextlib.contextmanager
def posting_clock(moment: datetime.datetime) -> Iterator[None]:
    """Postings inside this block are stamped ``moment`` (aware; not before any key's last movement)."""
    token = _clock.set(moment)
    try:
        yield
    finally:
        _clock.reset(token)


def posting_clock_time() -> datetime.datetime | None:
    return _clock.get()
