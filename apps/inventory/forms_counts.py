"""Forms and filters of stock counts and transfers."""

from decimal import Decimal, InvalidOperation

import django_filters
from django import forms
from django.db.models import Q
from django.db.models.functions import Upper
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.core.fields import QUANTITY_PLACES
from apps.core.forms import CleanForm
from apps.inventory.models import (
    AbcClass,
    CountScope,
    CountStatus,
    StockCount,
    StockTransfer,
    TransferStatus,
)
from apps.inventory.services.counts import CountEntryInput
from apps.masterdata.models import Category, Product, Warehouse


class StockCountOpenForm(CleanForm):
    warehouse = forms.ModelChoiceField(label=gettext_lazy("Warehouse"), queryset=Warehouse.objects.none())
    scope = forms.ChoiceField(label=gettext_lazy("Count scope"), choices=CountScope.choices)
    category = forms.ModelChoiceField(
        label=gettext_lazy("Product category"), queryset=Category.objects.all(), required=False
    )
    abc_class = forms.ChoiceField(
        label=gettext_lazy("ABC class"), choices=[("", "—"), *AbcClass.choices], required=False
    )
    location_from = forms.CharField(label=gettext_lazy("From location"), max_length=32, required=False)
    location_to = forms.CharField(label=gettext_lazy("To location"), max_length=32, required=False)
    products = forms.CharField(
        label=gettext_lazy("Item codes"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("For “Chosen products”: item codes separated by spaces, commas or new lines."),
    )
    blind = forms.BooleanField(
        label=gettext_lazy("Blind count"),
        required=False,
        help_text=gettext_lazy("Counters do not see the book quantity."),
    )
    remarks = forms.CharField(label=gettext_lazy("Remarks"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, warehouses=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["warehouse"].queryset = warehouses if warehouses is not None else Warehouse.objects.active()

    def clean_products(self) -> list[int]:
        codes = {code.upper() for code in self.cleaned_data["products"].replace(",", " ").split() if code}
        if not codes:
            return []
        found = dict(Product.objects.annotate(upper=Upper("code")).filter(upper__in=codes).values_list("upper", "pk"))
        unknown = sorted(codes - found.keys())
        if unknown:
            raise forms.ValidationError(_("Unknown item codes: %(codes)s") % {"codes": ", ".join(unknown)})
        return list(found.values())


def count_sheet_entries(data, lines) -> tuple[list[CountEntryInput], list[str]]:
    """The quantities typed into the count sheet grid (``qty-<line id>``); blank cells are skipped."""
    entries, errors = [], []
    for line in lines:
        text = (data.get(f"qty-{line.pk}") or "").strip().replace(",", "")
        if not text:
            continue
        try:
            quantity = Decimal(text)
        except InvalidOperation:
            errors.append(_("Row %(row)s: “%(value)s” is not a number.") % {"row": line.line_no, "value": text})
            continue
        if not quantity.is_finite() or quantity < 0 or quantity != round(quantity, QUANTITY_PLACES):
            errors.append(_("Row %(row)s: “%(value)s” is not a valid quantity.") % {"row": line.line_no, "value": text})
            continue
        if quantity != line.my_quantity:
            entries.append(CountEntryInput(product_id=line.product_id, quantity=quantity))
    return entries, errors


PASTE_MAX_ROWS = 20000


def pasted_counts(text: str) -> tuple[list[CountEntryInput], list[str]]:
    """Counts pasted from a handheld's export or a sheet: ``code-or-barcode quantity`` per row
    (tab, comma, semicolon or spaces between). Codes and barcodes resolved in two queries per 900 rows;
    a barcode of a case counts in its unit. Every bad row is named."""
    from apps.masterdata.models import ProductBarcode

    rows = []
    errors = []
    for number, raw in enumerate(text.splitlines(), start=1):
        parts = raw.replace("\t", " ").replace(",", " ").replace(";", " ").split()
        if not parts:
            continue
        if len(parts) != 2:
            errors.append(_("Row %(row)s: give a code and a quantity.") % {"row": number})
            continue
        try:
            quantity = Decimal(parts[1])
        except InvalidOperation:
            errors.append(_("Row %(row)s: “%(value)s” is not a number.") % {"row": number, "value": parts[1]})
            continue
        if not quantity.is_finite() or quantity < 0 or quantity != round(quantity, QUANTITY_PLACES):
            errors.append(_("Row %(row)s: “%(value)s” is not a valid quantity.") % {"row": number, "value": parts[1]})
            continue
        rows.append((number, parts[0], quantity))
    if len(rows) > PASTE_MAX_ROWS:
        return [], [_("At most %(count)s rows at once.") % {"count": PASTE_MAX_ROWS}]
    terms = sorted({term.upper() for _n, term, _q in rows})
    by_code, by_barcode = {}, {}
    for start in range(0, len(terms), 900):
        chunk = terms[start : start + 900]
        by_code.update(Product.objects.annotate(upper=Upper("code")).filter(upper__in=chunk).values_list("upper", "pk"))
        by_barcode.update(
            (barcode.upper(), (product, unit))
            for barcode, product, unit in ProductBarcode.objects.filter(barcode__in=chunk).values_list(
                "barcode", "product_id", "unit_id"
            )
        )
    entries = []
    for number, term, quantity in rows:
        key = term.upper()
        if key in by_barcode:
            product_id, unit_id = by_barcode[key]
        elif key in by_code:
            product_id, unit_id = by_code[key], None
        else:
            errors.append(_("Row %(row)s: unknown item code or barcode “%(code)s”.") % {"row": number, "code": term})
            continue
        entries.append(CountEntryInput(product_id=product_id, quantity=quantity, unit_id=unit_id))
    return entries, errors


class StockCountFilter(django_filters.FilterSet):
    number = django_filters.CharFilter(label=gettext_lazy("Document no."), lookup_expr="icontains")
    status = django_filters.ChoiceFilter(label=gettext_lazy("Document status"), choices=CountStatus.choices)
    warehouse = django_filters.ModelChoiceFilter(
        label=gettext_lazy("Warehouse"), queryset=Warehouse.objects.all(), field_name="warehouse"
    )

    class Meta:
        model = StockCount
        fields = ["number", "status", "warehouse"]


class StockTransferFilter(django_filters.FilterSet):
    number = django_filters.CharFilter(label=gettext_lazy("Document no."), lookup_expr="icontains")
    status = django_filters.ChoiceFilter(label=gettext_lazy("Document status"), choices=TransferStatus.choices)
    warehouse = django_filters.ModelChoiceFilter(
        label=gettext_lazy("Warehouse"), queryset=Warehouse.objects.all(), method="filter_warehouse"
    )

    class Meta:
        model = StockTransfer
        fields = ["number", "status"]

    def filter_warehouse(self, queryset, name, value):
        return queryset.filter(Q(source=value) | Q(destination=value)) if value else queryset


class StockTransferForm(CleanForm):
    source = forms.ModelChoiceField(label=gettext_lazy("Source warehouse"), queryset=Warehouse.objects.none())
    destination = forms.ModelChoiceField(label=gettext_lazy("Destination warehouse"), queryset=Warehouse.objects.none())
    date = forms.DateField(
        label=gettext_lazy("Document date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    remarks = forms.CharField(label=gettext_lazy("Remarks"), required=False, max_length=2000)

    def __init__(self, *args, sources=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["source"].queryset = sources if sources is not None else Warehouse.objects.active()
        self.fields["destination"].queryset = Warehouse.objects.active()


def transfer_receipt_inputs(data, lines):
    """The received and lost quantities typed per line (``received-<id>``, ``lost-<id>``), and the errors."""
    from apps.inventory.services.transfers import TransferReceiptInput

    receipts, errors = [], []
    for line in lines:
        values = []
        for name in ("received", "lost"):
            text = (data.get(f"{name}-{line.pk}") or "").strip().replace(",", "")
            try:
                values.append(Decimal(text) if text else Decimal(0))
            except InvalidOperation:
                errors.append(_("Row %(row)s: “%(value)s” is not a number.") % {"row": line.line_no, "value": text})
                values.append(Decimal(0))
        if any(values):
            receipts.append(TransferReceiptInput(line.pk, values[0], values[1]))
    return receipts, errors
