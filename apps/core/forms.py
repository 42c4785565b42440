from django import forms
from django.core.exceptions import PermissionDenied, ValidationError

from apps.core.hygiene import clean_text, validate_document_date
from apps.core.models import SystemSettings
from apps.core.services import EDITABLE_SETTINGS


class CleanFormMixin:
    """Per-field input hygiene for any form (see ``apps.core.hygiene``).

    - text: control characters removed; a single-line field (anything but a textarea) also
      turns tabs and line breaks into spaces, so a name is one line; leading/trailing spaces go;
    - dates: within 2000-01-01 .. a year from today (``document_date_range``), unless the field
      sets ``widget.attrs["data-any-date"]`` or the form lists it in ``any_date_fields``;
    - decimals: Django's ``DecimalField`` already refuses NaN, Infinity and too many digits with
      a message; ``apps.core.hygiene.to_decimal`` does the same for values read outside a form.

    ``CleanModelForm`` / ``CleanForm`` are the bases to use.
    """

    any_date_fields: tuple[str, ...] = ()

    def _clean_fields(self):
        super()._clean_fields()
        for name, field in self.fields.items():
            if name not in self.cleaned_data:
                continue
            value = self.cleaned_data[name]
            if isinstance(value, str):
                multiline = isinstance(field.widget, forms.Textarea)
                cleaned = clean_text(value, multiline=multiline)
                self.cleaned_data[name] = cleaned.strip() if getattr(field, "strip", True) else cleaned
            elif isinstance(field, forms.DateField) and not isinstance(field, forms.DateTimeField):
                if name in self.any_date_fields or "data-any-date" in field.widget.attrs:
                    continue
                try:
                    validate_document_date(value)
                except ValidationError as error:
                    self.add_error(name, error)


class CleanForm(CleanFormMixin, forms.Form):
    pass


class CleanModelForm(CleanFormMixin, forms.ModelForm):
    pass


class SystemSettingsForm(CleanModelForm):
    class Meta:
        model = SystemSettings
        fields = EDITABLE_SETTINGS


def apply_service_error(form: forms.BaseForm, error: ValidationError | PermissionDenied) -> None:
    """Put a service's ValidationError back onto the form, field by field where it can.

    A ``PermissionDenied`` (the service's own permission check) becomes a form-wide error.
    """
    if isinstance(error, PermissionDenied):
        form.add_error(None, str(error))
    elif hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)
