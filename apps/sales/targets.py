"""Monthly sales targets per salesperson (销售目标): managers set them, the sales dashboard reads them."""

import datetime
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from apps.accounts.roles import Role
from apps.core.permissions import require_permission
from apps.sales.models import SalesTarget


def salespeople() -> QuerySet:
    """Active users in the sales clerk role, by name."""
    return (
        get_user_model()
        .objects.filter(is_active=True, groups__name=Role.SALES)
        .distinct()
        .order_by("first_name", "last_name", "username")
    )


def targets_for_month(month: datetime.date) -> dict[int, Decimal]:
    """``{salesperson_id: amount}`` of ``month`` (one query)."""
    return dict(SalesTarget.objects.filter(month=month.replace(day=1)).values_list("salesperson_id", "amount"))


def target_of(salesperson_id: int, month: datetime.date) -> Decimal | None:
    """The target of one salesperson for ``month``, ``None`` when none is set (one query)."""
    return (
        SalesTarget.objects.filter(salesperson_id=salesperson_id, month=month.replace(day=1))
        .values_list("amount", flat=True)
        .first()
    )


def sales_targets_set(*, actor: Any, month: datetime.date, amounts: Mapping[Any, Decimal | None]) -> None:
    """Set the targets of ``month`` for the salespeople in ``amounts`` (a user → amount, ``None``
    removes the target). Every amount is checked before any write; one transaction.

    Raises ``PermissionDenied`` without ``sales.change_salestarget`` and ``ValidationError``
    naming each salesperson whose amount is negative.
    """
    require_permission(actor, "sales.change_salestarget")
    month = month.replace(day=1)
    errors = [
        _("%(person)s: the target cannot be negative.") % {"person": person.get_full_name() or person.get_username()}
        for person, amount in amounts.items()
        if amount is not None and amount < 0
    ]
    if errors:
        raise ValidationError(errors, code="negative_target")
    with transaction.atomic():
        removed = [person.pk for person, amount in amounts.items() if amount is None]
        SalesTarget.objects.filter(month=month, salesperson_id__in=removed).delete()
        for person, amount in amounts.items():
            if amount is not None:
                SalesTarget.objects.update_or_create(salesperson=person, month=month, defaults={"amount": amount})
