"""Reads of master data: list querysets, the category tree, product lookup, warehouse scope."""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.db.models import Prefetch, Q, QuerySet
from django.db.models.deletion import Collector

from apps.core.prices import mask_fields
from apps.masterdata.models import (
    Brand,
    Category,
    Customer,
    Product,
    ProductBarcode,
    ProductUnit,
    Supplier,
    Unit,
    Warehouse,
)


def unit_list() -> QuerySet[Unit]:
    return Unit.objects.all()


def brand_list() -> QuerySet[Brand]:
    return Brand.objects.all()


def category_list() -> QuerySet[Category]:
    return Category.objects.select_related("parent")


def product_list() -> QuerySet[Product]:
    return Product.objects.select_related("category", "brand", "base_unit").prefetch_related(
        Prefetch("barcodes", queryset=ProductBarcode.objects.order_by("id"))
    )


def product_detail(pk: int) -> Product:
    return (
        Product.objects.select_related("category", "brand", "base_unit")
        .prefetch_related(
            Prefetch("units", queryset=ProductUnit.objects.select_related("unit").order_by("ratio")),
            Prefetch("barcodes", queryset=ProductBarcode.objects.select_related("unit").order_by("id")),
        )
        .get(pk=pk)
    )


def warehouse_list() -> QuerySet[Warehouse]:
    return Warehouse.objects.select_related("manager").prefetch_related("assigned_users")


def supplier_list() -> QuerySet[Supplier]:
    return Supplier.objects.all()


def customer_list() -> QuerySet[Customer]:
    return Customer.objects.select_related("salesperson")


def records_for_user(queryset: QuerySet, user: Any) -> QuerySet:
    """The master-data records of ``queryset`` that ``user``'s data scope lets them see.

    Customers are limited by the customer scope, warehouses by the warehouse scope; other
    entities (products, suppliers, units ...) are not scoped.
    """
    if queryset.model is Customer:
        return in_customer_scope(queryset, user, customer_path="")
    if queryset.model is Warehouse:
        return in_warehouse_scope(queryset, user, warehouse_path="pk")
    return queryset


def filtered(filterset_class: type, data: Any, queryset: QuerySet, request: Any = None) -> Any:
    """Bind a django-filter FilterSet over a selector's queryset; ``.qs`` is the filtered rows."""
    return filterset_class(data, queryset=queryset, request=request)


def category_tree(queryset: QuerySet[Category] | None = None) -> list[tuple[Category, int]]:
    """Categories in tree order (parents before their children), each with its depth (0 = top)."""
    nodes = list(queryset if queryset is not None else Category.objects.all())
    children: dict[int | None, list[Category]] = {}
    ids = {node.pk for node in nodes}
    for node in nodes:
        parent = node.parent_id if node.parent_id in ids else None
        children.setdefault(parent, []).append(node)
    for siblings in children.values():
        siblings.sort(key=lambda node: (node.code, node.pk))
    ordered: list[tuple[Category, int]] = []
    stack = [(node, 0) for node in reversed(children.get(None, []))]
    while stack:
        node, depth = stack.pop()
        ordered.append((node, depth))
        stack.extend((child, depth + 1) for child in reversed(children.get(node.pk, [])))
    return ordered


def category_descendant_ids(category: Category) -> set[int]:
    """The ids of ``category`` and of every category below it (the tree is small: one query)."""
    children: dict[int | None, list[int]] = defaultdict(list)
    for pk, parent_id in Category.objects.values_list("pk", "parent_id"):
        children[parent_id].append(pk)
    found, stack = set(), [category.pk]
    while stack:
        node = stack.pop()
        if node not in found:
            found.add(node)
            stack.extend(children[node])
    return found


def warehouse_scope_ids(user: Any) -> list[int] | None:
    """The warehouses ``user`` is limited to, or ``None`` when they may use every warehouse.

    Fails closed: superusers and users with "all warehouses" (``sees_all_warehouses``) get
    ``None``; everyone else exactly the warehouses they are assigned to, which may be none (an
    empty list: they see no warehouse, no stock and no document of any). Anonymous users get
    ``[]``. Cached on the user object for the request. Every app's scope goes through here.
    """
    if user is None or not user.is_authenticated:
        return []
    if user.is_superuser or getattr(user, "sees_all_warehouses", False):
        return None
    if not hasattr(user, "_warehouse_scope_ids"):
        user._warehouse_scope_ids = list(Warehouse.objects.filter(assigned_users=user).values_list("pk", flat=True))
    return user._warehouse_scope_ids


def in_warehouse_scope(queryset: QuerySet, user: Any, warehouse_path: str = "warehouse") -> QuerySet:
    """``queryset`` limited to rows whose ``warehouse_path`` lies in the user's warehouse scope.

    ``warehouse_path`` is the lookup from the queryset's model to a warehouse's id, e.g.
    ``"warehouse"`` or ``"order__warehouse"``; a transfer passes ``("from_warehouse",
    "to_warehouse")`` to keep rows where either end is in scope.
    """
    ids = warehouse_scope_ids(user)
    if ids is None:
        return queryset
    paths = (warehouse_path,) if isinstance(warehouse_path, str) else tuple(warehouse_path)
    condition = Q()
    for path in paths:
        condition |= Q(**{f"{path}__in": ids})
    return queryset.filter(condition)


def customer_scope_owner(user: Any) -> Any | None:
    """The salesperson whose customers ``user`` is limited to, or ``None`` when the user sees all.

    Fails closed: superusers and users with "all customers" (``sees_all_customers``) get
    ``None``; everyone else is limited to the customers whose salesperson they are, which may be
    none (they see no customer and no customer's document). ``apps.sales.selectors`` exposes the
    same function; every app's customer scope goes through here.
    """
    if user is None or not user.is_authenticated:
        return _NOBODY
    if user.is_superuser or getattr(user, "sees_all_customers", False):
        return None
    return user


# The owner of no customer: anonymous users are limited to nothing.
_NOBODY = object()


def customers_for_user(user: Any) -> QuerySet[Customer]:
    """The customers ``user`` may see and sell to (see ``customer_scope_owner``)."""
    return in_customer_scope(Customer.objects.all(), user, customer_path="")


def in_customer_scope(queryset: QuerySet, user: Any, customer_path: str = "customer") -> QuerySet:
    """``queryset`` limited to rows whose ``customer_path`` lies in the user's customer scope.

    ``customer_path`` is the lookup from the queryset's model to the customer (``""`` for a
    customer queryset itself, ``"order__customer"`` for lines).
    """
    owner = customer_scope_owner(user)
    if owner is None:
        return queryset
    if owner is _NOBODY:
        return queryset.none()
    lookup = f"{customer_path}__salesperson" if customer_path else "salesperson"
    return queryset.filter(**{lookup: owner})


def warehouses_for_user(user: Any, *, include_inactive: bool = False) -> QuerySet[Warehouse]:
    """The warehouses a user works in (see ``warehouse_scope_ids``).

    Only active warehouses unless ``include_inactive`` (stock reports still show closed ones).
    """
    warehouses = Warehouse.objects.all() if include_inactive else Warehouse.objects.filter(is_active=True)
    ids = warehouse_scope_ids(user)
    return warehouses if ids is None else warehouses.filter(pk__in=ids)


def is_deletable(instance: models.Model) -> bool:
    """Whether ``instance`` can be deleted: nothing refers to it through a PROTECT/RESTRICT key."""
    collector = Collector(using="default")
    try:
        collector.collect([instance])
    except (models.ProtectedError, models.RestrictedError):
        return False
    return True


# ---------------------------------------------------------------------------------------------
# Product lookup for scanners and line grids


@dataclass(frozen=True)
class ProductMatch:
    product: Product
    exact: bool
    barcode_unit_id: int | None = None


def _lookup_queryset() -> QuerySet[Product]:
    return Product.objects.select_related("base_unit").prefetch_related(
        Prefetch("units", queryset=ProductUnit.objects.select_related("unit").order_by("ratio", "id"))
    )


def product_lookup(term: str, limit: int = 10, *, include_inactive: bool = False) -> list[ProductMatch]:
    """Find products for a scanned or typed ``term``.

    An exact barcode, or an exact code ignoring case, returns that product alone with
    ``exact=True`` (and the barcode's unit for a case barcode). Otherwise active products whose
    code, mnemonic or name start with the term come first, then those containing it; at most
    ``limit``. Codes use the ``UPPER(code)`` index; on PostgreSQL the prefix searches use
    pattern-ops indexes (migration 0002).
    """
    term = (term or "").strip()
    if not term:
        return []
    base = _lookup_queryset()
    scope = base if include_inactive else base.filter(is_active=True)
    barcode = ProductBarcode.objects.filter(barcode=term).values_list("product_id", "unit_id").first()
    if barcode is not None:
        product = scope.filter(pk=barcode[0]).first()
        if product is not None:
            return [ProductMatch(product=product, exact=True, barcode_unit_id=barcode[1])]
    product = scope.filter(code__iexact=term).first()
    if product is not None:
        return [ProductMatch(product=product, exact=True)]

    active = base.filter(is_active=True)
    prefix = Q(code__istartswith=term) | Q(mnemonic__istartswith=term) | Q(name__istartswith=term)
    found = list(active.filter(prefix).order_by("code")[:limit])
    if len(found) < limit:
        contains = Q(code__icontains=term) | Q(mnemonic__icontains=term) | Q(name__icontains=term)
        found += list(
            active.filter(contains).exclude(pk__in=[p.pk for p in found]).order_by("code")[: limit - len(found)]
        )
    return [ProductMatch(product=product, exact=False) for product in found]


def product_match_payload(match: ProductMatch, *, user: Any = None) -> dict[str, Any]:
    """The JSON shape of one lookup result; decimals as strings. Line grids rely on it.

    With ``user``, the prices they may not see (purchase price for most roles) are left out.
    """
    product = match.product
    units = [{"id": product.base_unit_id, "name": product.base_unit.name, "ratio": "1"}]
    units += [{"id": row.unit_id, "name": row.unit.name, "ratio": str(row.ratio)} for row in product.units.all()]
    payload = {
        "id": product.pk,
        "code": product.code,
        "name": product.name,
        "specification": product.specification,
        "base_unit": {"id": product.base_unit_id, "name": product.base_unit.name},
        "units": units,
        "purchase_price": str(product.purchase_price),
        "retail_price": str(product.retail_price),
        "sale_price": str(product.sale_price),
        "min_sale_price": str(product.min_sale_price),
        "tax_rate": str(product.tax_rate),
        "barcode_unit_id": match.barcode_unit_id,
        "exact": match.exact,
    }
    return payload if user is None else mask_fields(user, payload)


def product_resolve(terms: Iterable[str]) -> dict[str, ProductMatch]:
    """Exact matches for many codes or barcodes at once (a pasted or uploaded order), by upper-cased term.

    Like ``product_lookup``'s exact match, for active products only: a barcode first (with its
    unit), else the code ignoring case. Three queries whatever the number of terms (barcodes,
    products, their units).
    """
    terms = {term.strip() for term in terms if term and term.strip()}
    if not terms:
        return {}
    upper = {term.upper() for term in terms}
    barcodes = dict.fromkeys(terms) | dict.fromkeys(upper)
    found: dict[str, tuple[int, int | None]] = {}
    for barcode, product_id, unit_id in ProductBarcode.objects.filter(barcode__in=list(barcodes)).values_list(
        "barcode", "product_id", "unit_id"
    ):
        found.setdefault(barcode.upper(), (product_id, unit_id))
    products = {
        product.pk: product
        for product in _lookup_queryset().filter(
            Q(pk__in=[product_id for product_id, _unit in found.values()]) | Q(code__in=terms | upper),
            is_active=True,
        )
    }
    by_code = {product.code.upper(): product for product in products.values()}
    matches: dict[str, ProductMatch] = {}
    for term in upper:
        if term in found and found[term][0] in products:
            matches[term] = ProductMatch(product=products[found[term][0]], exact=True, barcode_unit_id=found[term][1])
        elif term in by_code:
            matches[term] = ProductMatch(product=by_code[term], exact=True)
    return matches
