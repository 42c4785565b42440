"""The status pipelines of the sales documents, as data (``apps.core.documents.pipeline``).

Sales order::

    draft ─submit→ pending ─confirm (审核: reserve stock)→ confirmed ─deliveries→ partial → completed
      ▲    ◀─withdraw─┘  (approve: a manager accepts it over the credit limit)   └─close→ closed
    draft / pending / confirmed ─cancel→ cancelled

Deliveries and returns: draft ─post→ posted, draft ─cancel→ cancelled.
"""

from django.utils.translation import gettext_lazy, pgettext_lazy

from apps.core.documents.pipeline import Pipeline, Transition, posting_pipeline
from apps.core.documents.registry import register
from apps.core.models import AuditAction
from apps.sales.models import SalesOrder, SalesOrderStatus, SalesReturn, Shipment

S = SalesOrderStatus
CHANGE_ORDER = "sales.change_salesorder"
OPEN = frozenset({S.CONFIRMED, S.PARTIAL})


def _order_rule(order: SalesOrder, action: str, transition: Transition) -> Transition | None:
    """The credit approval is offered only while an order over the limit waits for it."""
    if action == "approve" and not (order.over_credit_limit and order.credit_approved_by_id is None):
        return None
    return transition


SALES_ORDER_PIPELINE = register(
    SalesOrder,
    Pipeline(
        {
            "submit": Transition(
                frozenset({S.DRAFT}), S.PENDING, CHANGE_ORDER, gettext_lazy("Submit"),
                pgettext_lazy("action", "submitted"), AuditAction.SUBMITTED, "primary",
            ),
            "approve": Transition(
                frozenset({S.PENDING}), None, "sales.approve_salesorder",
                gettext_lazy("Approve over the credit limit"), pgettext_lazy("action", "approved"),
                AuditAction.APPROVED, "warning",
            ),
            "confirm": Transition(
                frozenset({S.PENDING}), S.CONFIRMED, CHANGE_ORDER, gettext_lazy("Approve"),
                pgettext_lazy("action", "approved"), AuditAction.APPROVED, "success",
            ),
            "confirm_backorder": Transition(
                frozenset({S.PENDING}), S.CONFIRMED, CHANGE_ORDER, gettext_lazy("Approve with backorders"),
                pgettext_lazy("action", "approved"), AuditAction.APPROVED, "outline-success",
                url_action="confirm", post_data=(("backorder", "1"),),
            ),
            "withdraw": Transition(
                frozenset({S.PENDING}), S.DRAFT, CHANGE_ORDER, gettext_lazy("Withdraw"),
                pgettext_lazy("action", "withdrawn"), AuditAction.WITHDRAWN,
            ),
            "reserve": Transition(
                OPEN, None, CHANGE_ORDER, gettext_lazy("Reserve backorders"), pgettext_lazy("action", "reserved"),
                AuditAction.CHANGED, "outline-primary",
            ),
            "close": Transition(
                OPEN, S.CLOSED, CHANGE_ORDER, gettext_lazy("Close"), pgettext_lazy("action", "closed"),
                AuditAction.CLOSED, "outline-dark",
                confirm=gettext_lazy("Close this order? Its remaining reservation is released."),
            ),
            "cancel": Transition(
                frozenset({S.DRAFT, S.PENDING, S.CONFIRMED}), S.CANCELLED, CHANGE_ORDER, gettext_lazy("Void"),
                pgettext_lazy("action", "voided"), AuditAction.CANCELLED, "outline-danger",
                confirm=gettext_lazy("Void this order?"),
            ),
        },
        url_name="sales:order_{action}",
        owner_fields=("created_by_id",),
        rule=_order_rule,
    ),
)  # fmt: skip

# Status changes made by posting deliveries (not user actions); PARTIAL → PARTIAL is a further one.
SHIPPING_TRANSITIONS = {
    S.CONFIRMED: frozenset({S.PARTIAL, S.COMPLETED}),
    S.PARTIAL: frozenset({S.PARTIAL, S.COMPLETED}),
}


SHIPMENT_PIPELINE = register(
    Shipment,
    posting_pipeline(
        post_permission="sales.post_shipment",
        cancel_permission="sales.change_shipment",
        url_name="sales:shipment_{action}",
    ),
)
SALES_RETURN_PIPELINE = register(
    SalesReturn,
    posting_pipeline(
        post_permission="sales.post_salesreturn",
        cancel_permission="sales.change_salesreturn",
        url_name="sales:return_{action}",
    ),
)
