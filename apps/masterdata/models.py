from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models.functions import Upper
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from apps.core.fields import MoneyField, PriceField, QuantityField, RateField
from apps.core.models import TimeStampedModel

code_validator = RegexValidator(
    r"^[A-Za-z0-9][A-Za-z0-9._-]*$",
    _("Use letters, digits, dot, dash or underscore, starting with a letter or digit."),
)
NON_NEGATIVE = MinValueValidator(Decimal(0))


class ActiveQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)


class Unit(TimeStampedModel):
    """A unit of measure: 个, 箱, kg."""

    code = models.CharField(_("code"), max_length=16, unique=True, validators=[code_validator])
    name = models.CharField(_("name"), max_length=32, unique=True)
    is_active = models.BooleanField(_("active"), default=True)

    objects = ActiveQuerySet.as_manager()

    class Meta:
        verbose_name = _("unit of measure")
        verbose_name_plural = _("units of measure")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("masterdata:unit_update", args=[self.pk])


class Category(TimeStampedModel):
    """A node of the product category tree."""

    code = models.CharField(_("code"), max_length=32, unique=True, validators=[code_validator])
    name = models.CharField(_("name"), max_length=64)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent category"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    is_active = models.BooleanField(_("active"), default=True)

    objects = ActiveQuerySet.as_manager()

    class Meta:
        verbose_name = _("product category")
        verbose_name_plural = _("product categories")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("masterdata:category_update", args=[self.pk])

    def clean(self) -> None:
        """Refuse a parent that is this category or one of its descendants."""
        node, seen = self.parent, set()
        while node is not None:
            if (self.pk is not None and node.pk == self.pk) or node.pk in seen:
                raise ValidationError(
                    {"parent": _("A category cannot be placed under itself or one of its subcategories.")}
                )
            seen.add(node.pk)
            node = node.parent


class Brand(TimeStampedModel):
    name = models.CharField(_("name"), max_length=64, unique=True)
    is_active = models.BooleanField(_("active"), default=True)

    objects = ActiveQuerySet.as_manager()

    class Meta:
        verbose_name = _("brand")
        verbose_name_plural = _("brands")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("masterdata:brand_update", args=[self.pk])


class Product(TimeStampedModel):
    """A stock-keeping unit. Quantities everywhere are in its base unit."""

    code = models.CharField(_("item code"), max_length=32, unique=True, validators=[code_validator])
    name = models.CharField(_("name"), max_length=128, db_index=True)
    mnemonic = models.CharField(
        _("mnemonic code"),
        max_length=64,
        blank=True,
        db_index=True,
        help_text=_("Pinyin initials of the name, filled in automatically when left blank."),
    )
    specification = models.CharField(_("specification"), max_length=128, blank=True)
    model_number = models.CharField(_("model"), max_length=64, blank=True)
    category = models.ForeignKey(
        Category, verbose_name=_("product category"), on_delete=models.PROTECT, related_name="products"
    )
    brand = models.ForeignKey(
        Brand, verbose_name=_("brand"), null=True, blank=True, on_delete=models.PROTECT, related_name="products"
    )
    base_unit = models.ForeignKey(
        Unit, verbose_name=_("base unit"), on_delete=models.PROTECT, related_name="base_products"
    )
    purchase_price = PriceField(_("purchase price"), default=Decimal(0), validators=[NON_NEGATIVE])
    retail_price = PriceField(_("retail price"), default=Decimal(0), validators=[NON_NEGATIVE])
    sale_price = PriceField(_("sales price"), default=Decimal(0), validators=[NON_NEGATIVE])
    min_sale_price = PriceField(_("minimum selling price"), default=Decimal(0), validators=[NON_NEGATIVE])
    tax_rate = RateField(
        _("tax rate %"),
        default=Decimal("13.00"),
        validators=[NON_NEGATIVE, MaxValueValidator(Decimal(100))],
    )
    is_active = models.BooleanField(_("active"), default=True)
    notes = models.TextField(_("remarks"), max_length=2000, blank=True)

    objects = ActiveQuerySet.as_manager()

    class Meta:
        verbose_name = _("product")
        verbose_name_plural = _("products")
        ordering = ["code"]
        indexes = [
            models.Index(Upper("code"), name="md_product_code_upper_idx"),
            models.Index(fields=["category", "is_active"], name="md_product_cat_active_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def get_absolute_url(self) -> str:
        return reverse("masterdata:product_detail", args=[self.pk])

    def clean(self) -> None:
        if self.min_sale_price and self.sale_price and self.min_sale_price > self.sale_price:
            raise ValidationError({"min_sale_price": _("The minimum selling price cannot be above the sales price.")})


class ProductUnit(models.Model):
    """A secondary unit of a product: 1 箱 = ``ratio`` base units."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="units")
    unit = models.ForeignKey(Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+")
    ratio = QuantityField(
        _("conversion ratio"),
        validators=[MinValueValidator(Decimal("0.0001"))],
        help_text=_("How many base units one of this unit holds."),
    )

    class Meta:
        verbose_name = _("secondary unit")
        verbose_name_plural = _("secondary units")
        constraints = [
            models.UniqueConstraint(fields=["product", "unit"], name="md_productunit_uniq"),
            models.CheckConstraint(condition=models.Q(ratio__gt=0), name="md_productunit_ratio_positive"),
        ]

    def __str__(self) -> str:
        return f"1 {self.unit} = {self.ratio.normalize()} {self.product.base_unit}"

    def clean(self) -> None:
        if self.product_id and self.unit_id and self.unit_id == self.product.base_unit_id:
            raise ValidationError({"unit": _("The base unit needs no conversion.")})


class ProductBarcode(models.Model):
    """One of a product's barcodes (一品多码); a case barcode names its unit."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="barcodes")
    barcode = models.CharField(
        _("barcode"),
        max_length=64,
        unique=True,
        validators=[RegexValidator(r"^[0-9A-Za-z\-]+$", _("A barcode has only letters, digits and dashes."))],
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("barcode")
        verbose_name_plural = _("barcodes")

    def __str__(self) -> str:
        return self.barcode


class Warehouse(TimeStampedModel):
    code = models.CharField(_("code"), max_length=16, unique=True, validators=[code_validator])
    name = models.CharField(_("name"), max_length=64, unique=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("manager"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="managed_warehouses",
    )
    assigned_users = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned users"),
        blank=True,
        related_name="assigned_warehouses",
        help_text=_("Warehouse staff listed here see only their assigned warehouses."),
    )
    is_active = models.BooleanField(_("active"), default=True)

    objects = ActiveQuerySet.as_manager()

    class Meta:
        verbose_name = _("warehouse")
        verbose_name_plural = _("warehouses")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("masterdata:warehouse_update", args=[self.pk])


class BusinessPartner(TimeStampedModel):
    code = models.CharField(_("code"), max_length=32, unique=True, validators=[code_validator])
    name = models.CharField(_("name"), max_length=128, db_index=True)
    contact = models.CharField(_("contact"), max_length=64, blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    email = models.EmailField(_("email"), blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    tax_number = models.CharField(_("taxpayer ID"), max_length=32, blank=True)
    bank_name = models.CharField(_("bank"), max_length=64, blank=True)
    bank_account = models.CharField(_("account no."), max_length=64, blank=True)
    payment_terms_days = models.PositiveSmallIntegerField(
        _("credit term (days)"), default=30, validators=[MaxValueValidator(365)]
    )
    notes = models.TextField(_("remarks"), max_length=2000, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    objects = ActiveQuerySet.as_manager()

    class Meta:
        abstract = True
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Supplier(BusinessPartner):
    class Meta(BusinessPartner.Meta):
        verbose_name = _("supplier")
        verbose_name_plural = _("suppliers")

    def get_absolute_url(self) -> str:
        return reverse("masterdata:supplier_detail", args=[self.pk])


class PriceLevel(models.TextChoices):
    WHOLESALE = "wholesale", _("Sales (wholesale) price")
    RETAIL = "retail", _("Retail price")


class Customer(BusinessPartner):
    credit_limit = MoneyField(
        _("credit limit"),
        null=True,
        blank=True,
        validators=[NON_NEGATIVE],
        help_text=_("Leave blank for no limit."),
    )
    price_level = models.CharField(
        _("price level"), max_length=16, choices=PriceLevel.choices, default=PriceLevel.WHOLESALE
    )
    discount_percent = RateField(
        _("discount %"),
        default=Decimal(0),
        validators=[NON_NEGATIVE, MaxValueValidator(Decimal(100))],
    )
    salesperson = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("salesperson"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="customers",
    )

    class Meta(BusinessPartner.Meta):
        verbose_name = _("customer")
        verbose_name_plural = _("customers")

    def get_absolute_url(self) -> str:
        return reverse("masterdata:customer_detail", args=[self.pk])
