"""Stored forecasts: one run of the planning job, and its result per product × warehouse."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from apps.core.fields import QuantityField
from apps.masterdata.models import Product, Warehouse
from apps.planning.engine.classify import ERRATIC, INTERMITTENT, LUMPY, SMOOTH

CLASS_LABELS = {
    SMOOTH: _("Smooth"),
    ERRATIC: _("Erratic"),
    INTERMITTENT: _("Intermittent"),
    LUMPY: _("Lumpy"),
    "none": _("No demand"),
}
METHOD_LABELS = {
    "naive": _("Naive"),
    "seasonal_naive": _("Seasonal naive"),
    "moving_average": _("Moving average"),
    "ses": _("Exponential smoothing"),
    "damped": _("Damped trend"),
    "seasonal": _("Seasonal index × smoothing"),
    "croston": _("Croston"),
    "sba": _("Syntetos–Boylan (SBA)"),
    "tsb": _("TSB"),
}
MODEL_LABELS = {"normal": _("Normal (forecast error)"), "empirical": _("Bootstrapped demand")}


class Period(models.TextChoices):
    DAY = "day", _("Day")
    WEEK = "week", _("Week")
    MONTH = "month", _("Month")


class RunStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class ForecastRun(models.Model):
    """One forecast of the whole catalogue, computed by the ``planning.forecast`` job."""

    period = models.CharField(_("period"), max_length=8, choices=Period.choices, default=Period.WEEK)
    horizon = models.PositiveSmallIntegerField(_("horizon (periods)"), default=13)
    service_level = models.DecimalField(_("target fill rate"), max_digits=4, decimal_places=3, default=0.95)
    service_levels = models.JSONField(
        _("target fill rate per ABC class"), default=dict, blank=True, help_text=_('e.g. {"A": 0.98, "C": 0.9}')
    )
    history_end = models.DateField(_("history up to"))
    status = models.CharField(_("run status"), max_length=8, choices=RunStatus.choices, default=RunStatus.QUEUED)
    job = models.ForeignKey("jobs.Job", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    summary = models.JSONField(_("summary"), default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("created by")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("forecast run")
        verbose_name_plural = _("forecast runs")
        ordering = ["-created_at", "-id"]
        permissions = [("create_replenishment_orders", _("Can create purchase orders from suggestions"))]

    def __str__(self) -> str:
        return f"{self.get_period_display()} {self.history_end} #{self.pk}"

    def get_absolute_url(self) -> str:
        return reverse("planning:forecast_list") + f"?run={self.pk}"


class ItemStatus(models.TextChoices):
    OK = "ok", _("Forecast")
    INSUFFICIENT = "insufficient", _("Too little history")
    NO_DEMAND = "no_demand", _("No demand")


class ItemForecast(models.Model):
    """The forecast, its accuracy and the stock levels it implies for one product in one warehouse.

    ``history`` and ``forecast`` are per period (oldest first), kept as JSON for the chart; the
    levels are in base units over the lead time (``lead_periods``) + one review period.
    """

    run = models.ForeignKey(ForecastRun, on_delete=models.CASCADE, related_name="items")
    product = models.ForeignKey(Product, verbose_name=_("product"), on_delete=models.PROTECT, related_name="+")
    warehouse = models.ForeignKey(Warehouse, verbose_name=_("warehouse"), on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("forecast status"), max_length=12, choices=ItemStatus.choices)
    demand_class = models.CharField(_("demand class"), max_length=12)
    adi = models.FloatField(_("ADI"), null=True)
    cv2 = models.FloatField(_("CV²"), null=True)
    method = models.CharField(_("forecast method"), max_length=20, blank=True)
    backtested = models.BooleanField(_("chosen by backtest"), default=False)
    stock_model = models.CharField(_("safety stock model"), max_length=12, blank=True)
    lead_periods = models.PositiveSmallIntegerField(_("lead time (periods)"))
    abc = models.CharField(_("ABC class"), max_length=1, blank=True)
    target = models.DecimalField(_("target fill rate"), max_digits=4, decimal_places=3, default=0.95)
    mean_demand = QuantityField(_("mean demand per period"), default=0)
    sigma = models.FloatField(_("σ of forecast error over lead time"), null=True)
    safety_factor = models.FloatField(_("safety factor k"), null=True)
    safety_stock = QuantityField(_("safety stock"), null=True)
    lead_demand = QuantityField(_("demand over lead time"), null=True)
    reorder_point = QuantityField(_("reorder point"), null=True)
    order_up_to = QuantityField(_("order-up-to level"), null=True)
    next_period = QuantityField(_("forecast next period"), null=True)
    mase = models.FloatField("MASE", null=True)
    rmsse = models.FloatField("RMSSE", null=True)
    wape = models.FloatField("WAPE", null=True)
    bias = models.FloatField(_("bias"), null=True)
    history = models.JSONField(_("history"), default=list)
    forecast = models.JSONField(_("forecast"), default=list)

    class Meta:
        verbose_name = _("item forecast")
        verbose_name_plural = _("item forecasts")
        ordering = ["product__code", "warehouse__code"]
        constraints = [models.UniqueConstraint(fields=["run", "product", "warehouse"], name="plan_item_run_uniq")]

    def __str__(self) -> str:
        return f"{self.product_id}@{self.warehouse_id} ({self.method})"

    def get_absolute_url(self) -> str:
        return reverse("planning:forecast_detail", args=[self.pk])

    @property
    def class_label(self) -> str:
        return CLASS_LABELS.get(self.demand_class, self.demand_class)

    @property
    def method_label(self) -> str:
        return METHOD_LABELS.get(self.method, self.method)

    @property
    def model_label(self) -> str:
        return MODEL_LABELS.get(self.stock_model, self.stock_model)


class ExternalDemand(models.Model):
    """Demand of one product in one warehouse in one period before this system kept the ledger.

    Uploaded by a planner (the demand-history import) for a new installation; the forecast's
    history uses it for the periods the ledger has not covered yet (the ledger wins where both are).
    ``period_start`` is the date heading the file's column; the history buckets it by the run's period.
    """

    product = models.ForeignKey(Product, verbose_name=_("product"), on_delete=models.PROTECT, related_name="+")
    warehouse = models.ForeignKey(Warehouse, verbose_name=_("warehouse"), on_delete=models.PROTECT, related_name="+")
    period_start = models.DateField(_("period start"))
    quantity = QuantityField(_("quantity"))
    imported_at = models.DateTimeField(_("imported at"), auto_now=True)

    class Meta:
        verbose_name = _("external demand history")
        verbose_name_plural = _("external demand history")
        ordering = ["product", "warehouse", "period_start"]
        constraints = [
            models.UniqueConstraint(fields=["product", "warehouse", "period_start"], name="plan_extdemand_uniq"),
            models.CheckConstraint(condition=models.Q(quantity__gte=0), name="plan_extdemand_nonnegative"),
        ]

    def __str__(self) -> str:
        return f"{self.product_id}@{self.warehouse_id} {self.period_start}: {self.quantity}"
