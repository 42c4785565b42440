from django import forms
from django.core.exceptions import PermissionDenied, ValidationError

from apps.core.models import SystemSettings
from apps.core.services import EDITABLE_SETTINGS


class SystemSettingsForm(forms.ModelForm):
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
