"""Forms of the stock adjustment documents: a header form and a formset of lines (the line grid)."""

from decimal import Decimal

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models.functions import Upper
from django.utils.translation import gettext_lazy as _

from apps.core.fields import COST_PLACES, QUANTITY_PLACES
from apps.core.forms import CleanForm, CleanModelForm
from apps.core.hygiene import to_decimal
from apps.inventory.documents.forms import LineGridForm, LineGridFormSet
from apps.inventory.models import StockAdjustment
from apps.inventory.services import AdjustmentLineInput
from apps.masterdata.models import Product, Warehouse

LINE_GRID_PREFIX = "lines"


class StockAdjustmentForm(CleanModelForm):
    class Meta:
        model = StockAdjustment
        fields = ["kind", "warehouse", "date", "reason", "remarks"]
        widgets = {
            "date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "remarks": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, warehouses=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["warehouse"].queryset = warehouses if warehouses is not None else Warehouse.objects.active()
        if self.instance.pk:  # the kind decides the number prefix: fixed once the draft exists
            self.fields["kind"].disabled = True


class StockAdjustmentLineForm(LineGridForm):
    """One row of the line grid: the product (``LineGridForm``), a quantity, a unit cost."""

    quantity = forms.DecimalField(
        label=_("quantity"),
        max_digits=18,
        decimal_places=QUANTITY_PLACES,
        widget=forms.NumberInput(attrs={"data-field": "quantity", "step": "any"}),
    )
    unit_cost = forms.DecimalField(
        label=_("unit cost"),
        required=False,
        max_digits=18,
        decimal_places=COST_PLACES,
        min_value=Decimal(0),
        widget=forms.NumberInput(attrs={"data-field": "unit-price", "step": "any"}),
    )
    remarks = forms.CharField(label=_("remarks"), required=False, max_length=200)

    def __init__(self, *args, show_costs: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if not show_costs:  # 价格屏蔽: neither shown nor changed; the view keeps the cost
            del self.fields["unit_cost"]

    def to_input(self) -> AdjustmentLineInput:
        data = self.cleaned_data
        return AdjustmentLineInput(
            product_id=data["product_obj"].pk,
            quantity=data["quantity"],
            unit_cost=data.get("unit_cost"),
            remarks=data.get("remarks", ""),
        )


class BaseLineFormSet(LineGridFormSet):
    def line_inputs(self) -> list[AdjustmentLineInput]:
        """The rows kept (filled in, not marked for deletion), in grid order."""
        return [form.to_input() for form in self.rows()]


StockAdjustmentLineFormSet = forms.formset_factory(
    StockAdjustmentLineForm, formset=BaseLineFormSet, extra=3, can_delete=True
)


def line_formset_initial(document: StockAdjustment) -> list[dict]:
    return [
        {
            "product": line.product_id,
            "product_search": f"{line.product.code} {line.product.name}",
            "quantity": line.quantity,
            "unit_cost": line.unit_cost,
            "remarks": line.remarks,
        }
        for line in document.lines.select_related("product")
    ]


IMPORT_HEADERS = ("item code", "quantity", "unit cost", "remarks")
IMPORT_MAX_ROWS = 5000


class OpeningStockImportForm(CleanForm):
    """An Excel sheet of opening stock: item code, quantity, unit cost[, remarks] under a header row."""

    warehouse = forms.ModelChoiceField(label=_("Warehouse"), queryset=Warehouse.objects.none())
    date = forms.DateField(label=_("Document date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    file = forms.FileField(label=_("Excel file (.xlsx)"))

    def __init__(self, *args, warehouses=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["warehouse"].queryset = warehouses if warehouses is not None else Warehouse.objects.active()

    def clean_file(self) -> list[AdjustmentLineInput]:
        """Every row checked; all problems reported together, naming their row."""
        upload = self.cleaned_data["file"]
        if upload.size > settings.IMPORT_MAX_FILE_SIZE:
            raise forms.ValidationError(_("The file is too large."))
        # The import page's reader: size, zip and row limits checked while streaming, before parsing.
        from apps.imports.reader import FileRefused, read_upload

        try:
            sheet = read_upload(upload.file, size=upload.size, max_rows=IMPORT_MAX_ROWS)
        except FileRefused as refusal:
            raise forms.ValidationError(str(refusal)) from refusal
        if sheet.formulas:
            cell, formula = sheet.formulas[0]
            raise forms.ValidationError(
                _("Cell %(cell)s holds a formula (%(formula)s); formulas are not evaluated: paste the values instead.")
                % {"cell": cell, "formula": formula}
            )
        rows = [(number, tuple(values)) for number, values in sheet.rows]
        if not rows:
            raise forms.ValidationError(_("The sheet has no rows below its header."))
        if len(rows) > IMPORT_MAX_ROWS:
            raise forms.ValidationError(_("At most %(count)s rows per file.") % {"count": IMPORT_MAX_ROWS})
        codes = {str(row[0]).strip().upper() for _number, row in rows if row[0] not in (None, "")}
        products = dict(
            Product.objects.annotate(upper_code=Upper("code"))
            .filter(upper_code__in=codes)
            .values_list("upper_code", "pk")
        )
        errors, lines = [], []
        for number, row in rows:
            cells = (*row, None, None, None, None)
            code, quantity, cost, remarks = (str(cells[0] or "").strip(), cells[1], cells[2], cells[3])
            product_id = products.get(code.upper())
            if product_id is None:
                errors.append(_("Row %(row)s: unknown item code “%(code)s”.") % {"row": number, "code": code})
                continue
            try:
                # NaN, Infinity and 1e15 are refused with the row named (they used to answer 500).
                quantity = to_decimal(quantity, places=QUANTITY_PLACES)
                cost = to_decimal(cost, places=COST_PLACES)
            except ValidationError as error:
                if error.code == "max_whole_digits":
                    errors.append(_("Row %(row)s: %(problem)s") % {"row": number, "problem": error.messages[0]})
                else:
                    errors.append(_("Row %(row)s: quantity and unit cost must be numbers.") % {"row": number})
                continue
            if quantity <= 0 or cost < 0:
                errors.append(
                    _("Row %(row)s: the quantity must be positive and the unit cost not negative.") % {"row": number}
                )
                continue
            lines.append(AdjustmentLineInput(product_id, quantity, cost, str(remarks or "")[:200]))
        if errors:
            raise forms.ValidationError(errors)
        return lines
