from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from apps.core.models import AuditAction, AuditLog, SystemSettings
from apps.core.services import system_settings_update

pytestmark = pytest.mark.django_db


def _form_data(**overrides):
    data = {
        "company_name": "Acme Trading",
        "company_address": "1 Harbour Road",
        "company_phone": "021-5555",
        "allow_negative_stock": "",
        "purchase_approval_threshold": "20000.00",
        "adjustment_approval_threshold": "10000.00",
        "receipt_tolerance_percent": "5.00",
    }
    return {**data, **overrides}


def test_admin_sees_the_settings_form(client_for):
    response = client_for("admin").get(reverse("core:settings_edit"))

    assert response.status_code == 200
    assert response.context["form"].instance == SystemSettings.load()


@pytest.mark.parametrize("role", ["warehouse", "buyer", "sales", "manager"])
def test_only_admins_may_edit_settings(role, client_for):
    client = client_for(role)

    assert client.get(reverse("core:settings_edit")).status_code == 403
    assert client.post(reverse("core:settings_edit"), _form_data()).status_code == 403
    assert SystemSettings.load().company_name == "JXC Demo Co."


def test_saving_settings_records_who_changed_what(client_for):
    client = client_for("admin")

    response = client.post(reverse("core:settings_edit"), _form_data())

    assert response.status_code == 302
    assert response.url == reverse("core:settings_edit")
    saved = SystemSettings.load()
    assert saved.company_name == "Acme Trading"
    assert saved.purchase_approval_threshold == Decimal("20000.00")
    entry = AuditLog.objects.get()
    assert entry.actor == client.user
    assert entry.action == AuditAction.CHANGED
    assert entry.changes["company_name"] == ["JXC Demo Co.", "Acme Trading"]
    assert entry.changes["purchase_approval_threshold"] == ["50000.00", "20000.00"]


def test_negative_threshold_is_refused_on_the_field_and_nothing_is_saved(client_for):
    client = client_for("admin")

    response = client.post(reverse("core:settings_edit"), _form_data(purchase_approval_threshold="-1"))

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "purchase_approval_threshold": ["Ensure this value is greater than or equal to 0."]
    }
    saved = SystemSettings.load()
    assert saved.company_name == "JXC Demo Co."
    assert saved.purchase_approval_threshold == Decimal("50000.00")
    assert not AuditLog.objects.exists()


def test_non_numeric_tolerance_is_refused_on_the_field(client_for):
    response = client_for("admin").post(reverse("core:settings_edit"), _form_data(receipt_tolerance_percent="abc"))

    assert response.context["form"].errors == {"receipt_tolerance_percent": ["Enter a number."]}
    assert not AuditLog.objects.exists()


def test_unchanged_settings_write_no_audit_row(make_user):
    current = SystemSettings.load()

    system_settings_update(actor=make_user("admin"), data={"company_name": current.company_name})

    assert not AuditLog.objects.exists()


def test_service_refuses_a_negative_tolerance_and_changes_nothing(make_user):
    with pytest.raises(ValidationError) as error:
        system_settings_update(actor=make_user("admin"), data={"receipt_tolerance_percent": Decimal("-0.01")})

    assert error.value.message_dict == {
        "receipt_tolerance_percent": ["Ensure this value is greater than or equal to 0."]
    }
    assert SystemSettings.load().receipt_tolerance_percent == Decimal("0.00")
    assert not AuditLog.objects.exists()
