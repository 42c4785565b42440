"""Stock levels, storage locations and classification per product × warehouse, and the inventory policy.

None of these is part of the ledger: they are parameters people set (levels, locations) or
results computed from the ledger (classification). Imported by ``apps.inventory.models``.
"""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from apps.core.fields import MoneyField, QuantityField, RateField
from apps.masterdata.models import Product, Warehouse, code_validator

NON_NEGATIVE = MinValueValidator(Decimal(0))


class StorageLocation(models.Model):
    """A storage location (货位) in a warehouse: guidance for people, not a ledger dimension."""

    warehouse = models.ForeignKey(
        Warehouse, verbose_name=_("warehouse"), on_delete=models.PROTECT, related_name="locations"
    )
    code = models.CharField(_("location code"), max_length=32, validators=[code_validator])
    zone = models.CharField(_("zone"), max_length=32, blank=True)
    sort_order = models.PositiveIntegerField(_("sort order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("storage location")
        verbose_name_plural = _("storage locations")
        ordering = ["warehouse", "sort_order", "code"]
        constraints = [models.UniqueConstraint(fields=["warehouse", "code"], name="inv_location_wh_code_uniq")]

    def __str__(self) -> str:
        return self.code


class StockLevel(models.Model):
    """Safety stock (安全库存), reorder point (再订货点), maximum and default location of a product in a warehouse.

    A missing row means "no levels set": safety stock and reorder point 0, no maximum, no location.
    """

    product = models.ForeignKey(Product, verbose_name=_("product"), on_delete=models.PROTECT, related_name="+")
    warehouse = models.ForeignKey(Warehouse, verbose_name=_("warehouse"), on_delete=models.PROTECT, related_name="+")
    safety_stock = QuantityField(_("safety stock"), default=Decimal(0), validators=[NON_NEGATIVE])
    reorder_point = QuantityField(_("reorder point"), default=Decimal(0), validators=[NON_NEGATIVE])
    max_stock = QuantityField(_("maximum stock level"), null=True, blank=True, validators=[NON_NEGATIVE])
    location = models.ForeignKey(
        StorageLocation,
        verbose_name=_("default location"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("stock level")
        verbose_name_plural = _("stock levels")
        ordering = ["product", "warehouse"]
        constraints = [
            models.UniqueConstraint(fields=["product", "warehouse"], name="inv_level_product_wh_uniq"),
            models.CheckConstraint(
                condition=Q(max_stock__isnull=True) | Q(max_stock__gte=models.F("reorder_point")),
                name="inv_level_max_ge_reorder",
            ),
        ]
        indexes = [models.Index(fields=["warehouse", "product"], name="inv_level_wh_prod_idx")]

    def __str__(self) -> str:
        return f"{self.product_id}@{self.warehouse_id}"

    def clean(self) -> None:
        if self.max_stock is not None and self.max_stock < self.safety_stock:
            raise ValidationError({"max_stock": _("The maximum stock level cannot be below the safety stock.")})
        if self.max_stock is not None and self.max_stock < self.reorder_point:
            raise ValidationError({"max_stock": _("The maximum stock level cannot be below the reorder point.")})
        if self.location_id and self.warehouse_id and self.location.warehouse_id != self.warehouse_id:
            raise ValidationError({"location": _("The location belongs to another warehouse.")})


class AbcClass(models.TextChoices):
    A = "A", "A"
    B = "B", "B"
    C = "C", "C"


class XyzClass(models.TextChoices):
    X = "X", "X"
    Y = "Y", "Y"
    Z = "Z", "Z"


class StockClassification(models.Model):
    """ABC (consumption value) and XYZ (demand variability) class of a product in a warehouse.

    Computed from the ledger by ``classification_recompute`` for the period ``period_start`` to
    ``period_end`` (inclusive); every row of one run carries the same period.
    """

    product = models.ForeignKey(Product, verbose_name=_("product"), on_delete=models.PROTECT, related_name="+")
    warehouse = models.ForeignKey(Warehouse, verbose_name=_("warehouse"), on_delete=models.PROTECT, related_name="+")
    abc = models.CharField(_("ABC class"), max_length=1, choices=AbcClass.choices)
    xyz = models.CharField(_("XYZ class"), max_length=1, choices=XyzClass.choices)
    consumption_value = MoneyField(_("consumption value"), default=Decimal(0))
    consumption_quantity = QuantityField(_("consumption quantity"), default=Decimal(0))
    variation = models.DecimalField(_("coefficient of variation"), max_digits=12, decimal_places=4, null=True)
    period_start = models.DateField(_("period from"))
    period_end = models.DateField(_("period to"))
    computed_at = models.DateTimeField(_("computed at"))

    class Meta:
        verbose_name = _("stock classification")
        verbose_name_plural = _("stock classifications")
        ordering = ["warehouse", "abc", "xyz", "product"]
        constraints = [
            models.UniqueConstraint(fields=["product", "warehouse"], name="inv_class_product_wh_uniq"),
        ]
        indexes = [models.Index(fields=["warehouse", "abc", "xyz"], name="inv_class_wh_abc_xyz_idx")]

    def __str__(self) -> str:
        return f"{self.product_id}@{self.warehouse_id}: {self.abc}{self.xyz}"


class InventoryPolicy(models.Model):
    """Settings of inventory operations: one row (classification, count approval, cycle counts, alerts)."""

    abc_a_percent = RateField(
        _("class A up to this percent of consumption value"),
        default=Decimal(80),
        validators=[MinValueValidator(Decimal(1)), MaxValueValidator(Decimal(100))],
    )
    abc_b_percent = RateField(
        _("class B up to this percent of consumption value"),
        default=Decimal(95),
        validators=[MinValueValidator(Decimal(1)), MaxValueValidator(Decimal(100))],
    )
    xyz_x_max_cv = models.DecimalField(
        _("class X up to coefficient of variation"),
        max_digits=6,
        decimal_places=2,
        default=Decimal("0.50"),
        validators=[NON_NEGATIVE],
    )
    xyz_y_max_cv = models.DecimalField(
        _("class Y up to coefficient of variation"),
        max_digits=6,
        decimal_places=2,
        default=Decimal("1.00"),
        validators=[NON_NEGATIVE],
    )
    classification_months = models.PositiveSmallIntegerField(
        _("classification period (months)"), default=12, validators=[MinValueValidator(1), MaxValueValidator(36)]
    )
    count_approval_threshold = MoneyField(
        _("count variance value needing a manager's approval"),
        default=Decimal("1000.00"),
        validators=[NON_NEGATIVE],
        help_text=_("Counts whose gains and losses add up to more than this (absolute value) need approval."),
    )
    count_variance_alert_threshold = MoneyField(
        _("count variance value that alerts the managers"),
        default=Decimal("1000.00"),
        validators=[NON_NEGATIVE],
        help_text=_("The managers are notified when a count is submitted or posted with a variance above this."),
    )
    cycle_days_a = models.PositiveSmallIntegerField(_("count class A every (days)"), default=30)
    cycle_days_b = models.PositiveSmallIntegerField(_("count class B every (days)"), default=90)
    cycle_days_c = models.PositiveSmallIntegerField(_("count class C every (days)"), default=365)
    no_movement_days = models.PositiveSmallIntegerField(
        _("no movement alert after (days)"), default=90, validators=[MinValueValidator(1)]
    )
    transit_warehouse = models.ForeignKey(
        Warehouse,
        verbose_name=_("in-transit warehouse"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Holds goods between dispatch and receipt of transfers; created on the first dispatch."),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("inventory settings")
        verbose_name_plural = _("inventory settings")

    def __str__(self) -> str:
        return str(_("Inventory settings"))

    def clean(self) -> None:
        if None not in (self.abc_a_percent, self.abc_b_percent) and self.abc_b_percent < self.abc_a_percent:
            raise ValidationError({"abc_b_percent": _("The class B limit cannot be below the class A limit.")})
        if None not in (self.xyz_x_max_cv, self.xyz_y_max_cv) and self.xyz_y_max_cv < self.xyz_x_max_cv:
            raise ValidationError({"xyz_y_max_cv": _("The class Y limit cannot be below the class X limit.")})

    @classmethod
    def load(cls) -> "InventoryPolicy":
        obj, _created = cls.objects.get_or_create(pk=1)
        return obj

    def cycle_days(self, abc: str) -> int:
        return {AbcClass.A: self.cycle_days_a, AbcClass.B: self.cycle_days_b}.get(abc, self.cycle_days_c)
