"""The line grid of every document: one row form and one formset on a bulk product resolver.

A row's product arrives either as the hidden id ``static/js/line_grid.js`` sets (``product``) or,
without JavaScript, as the code or barcode typed into the search box (``product_search``).
``LineGridFormSet`` resolves every filled row in two queries, whatever the number of rows, and
names the grid row the user sees in its messages ("Row 3: …"). Documents subclass
``LineGridForm`` with their own fields (quantity, price, unit cost …) and read the product from
``cleaned_data["product_obj"]``.
"""

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.core.forms import CleanForm
from apps.masterdata.models import Product, ProductBarcode


class LineGridForm(CleanForm):
    product = forms.IntegerField(required=False, widget=forms.HiddenInput(attrs={"data-field": "product"}))
    product_search = forms.CharField(
        label=gettext_lazy("Product"),
        required=False,
        max_length=200,
        widget=forms.TextInput(
            attrs={
                "data-field": "product-search",
                "autocomplete": "off",
                "placeholder": gettext_lazy("Code, name, mnemonic or barcode"),
            }
        ),
    )

    def clean(self) -> dict:
        data = super().clean()
        if self.has_changed() and not data.get("DELETE") and not self.has_product():
            self.add_error("product_search", _("Choose a product (enter its code or barcode)."))
        return data

    def has_product(self) -> bool:
        data = getattr(self, "cleaned_data", {})
        return bool(data.get("product") or (data.get("product_search") or "").strip())

    def search_term(self) -> str:
        """The code or barcode typed: the first word ("A001 Widget" picked from the list → "A001")."""
        text = (self.cleaned_data.get("product_search") or "").strip()
        return text.split()[0] if text else ""


class LineGridFormSet(forms.BaseFormSet):
    """The rows of a line grid. ``rows()`` are the filled ones, each with ``product_obj``."""

    def rows(self) -> list[forms.Form]:
        """The forms that hold a line (valid, not deleted, with a product), in grid order."""
        return [
            form
            for form in self.forms
            if form.is_valid() and not (self.can_delete and self._should_delete_form(form)) and form.has_product()
        ]

    def clean(self) -> None:
        super().clean()
        if any(form.errors for form in self.forms):
            return
        resolve_products(self.rows(), row_of={id(form): index for index, form in enumerate(self.forms, start=1)})


def resolve_products(forms_: list[Any], *, row_of: dict[int, int] | None = None) -> None:
    """Put each row's ``Product`` in ``cleaned_data["product_obj"]``: two queries for any number of rows.

    By id when the grid set one, else by the code (any case) or a barcode typed into the search
    box. A row naming no product gets an error on its search box and the formset a message
    naming its grid row; then nothing is saved.
    """
    ids = {form.cleaned_data["product"] for form in forms_ if form.cleaned_data.get("product")}
    terms = {form.search_term() for form in forms_ if not form.cleaned_data.get("product") and form.search_term()}
    by_id = Product.objects.select_related("base_unit").in_bulk(ids) if ids else {}
    by_term: dict[str, Product] = {}
    if terms:
        upper = {term.upper() for term in terms}
        lookup = Q(code__in=terms) | Q(code__in=upper) | Q(barcodes__barcode__in=terms)
        for product in Product.objects.select_related("base_unit").filter(lookup).distinct():
            by_term[product.code.upper()] = product
        for barcode in ProductBarcode.objects.select_related("product__base_unit").filter(barcode__in=terms):
            by_term[barcode.barcode.upper()] = barcode.product
    errors = []
    for position, form in enumerate(forms_, start=1):
        product_id, term = form.cleaned_data.get("product"), form.search_term()
        product = by_id.get(product_id) if product_id else by_term.get(term.upper())
        if product is None:
            form.add_error("product_search", _("No such product."))
            row = (row_of or {}).get(id(form), position)
            errors.append(
                _("Row %(row)s: no product has the code or barcode “%(term)s”.")
                % {"row": row, "term": term or product_id}
            )
            continue
        form.cleaned_data["product_obj"] = product
    if errors:
        raise ValidationError(errors, code="unknown_product")
