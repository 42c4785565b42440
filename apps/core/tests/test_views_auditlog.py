import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from apps.core.models import AuditAction, AuditLog, SystemSettings
from apps.core.services import audit_record
from apps.masterdata.tests.factories import WarehouseFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def viewer(client_for):
    return client_for("manager")


def _entries(response) -> list[str]:
    return [entry.object_repr for entry in response.context["entries"]]


def test_lists_entries_newest_first(viewer, make_user):
    actor = make_user("buyer")
    first = audit_record(actor=actor, action=AuditAction.CREATED, instance=WarehouseFactory(name="North"))
    audit_record(actor=actor, action=AuditAction.CREATED, instance=WarehouseFactory(name="South"))
    AuditLog.objects.filter(pk=first.pk).update(created_at=timezone.now() - datetime.timedelta(hours=1))

    response = viewer.get(reverse("core:auditlog_list"))

    assert response.status_code == 200
    assert _entries(response) == ["South", "North"]


def test_filters_by_user(viewer, make_user):
    alice, bob = make_user("buyer"), make_user("sales")
    audit_record(actor=alice, action=AuditAction.CREATED, instance=WarehouseFactory(name="A"))
    audit_record(actor=bob, action=AuditAction.CREATED, instance=WarehouseFactory(name="B"))

    response = viewer.get(reverse("core:auditlog_list"), {"actor": bob.pk})

    assert _entries(response) == ["B"]


def test_filters_by_action(viewer, make_user):
    warehouse = WarehouseFactory(name="A")
    audit_record(actor=None, action=AuditAction.CREATED, instance=warehouse)
    audit_record(actor=None, action=AuditAction.DEACTIVATED, instance=warehouse)

    response = viewer.get(reverse("core:auditlog_list"), {"action": "deactivated"})

    assert [entry.action for entry in response.context["entries"]] == ["deactivated"]


def test_filters_by_record_type(viewer):
    audit_record(actor=None, action=AuditAction.CREATED, instance=WarehouseFactory(name="Depot"))
    audit_record(actor=None, action=AuditAction.CHANGED, instance=SystemSettings.load())

    response = viewer.get(reverse("core:auditlog_list"), {"content_type": SystemSettings.content_type().pk})

    assert _entries(response) == ["System settings"]


def test_filters_by_date_range_in_local_time(viewer):
    local = timezone.get_current_timezone()
    # Each edge is one hour either side of local midnight, which UTC dates would get wrong.
    for name, moment in [
        ("Before", datetime.datetime(2026, 11, 9, 23, 30, tzinfo=local)),
        ("First day", datetime.datetime(2026, 11, 10, 0, 30, tzinfo=local)),
        ("Last day", datetime.datetime(2026, 11, 19, 23, 30, tzinfo=local)),
        ("After", datetime.datetime(2026, 11, 20, 0, 30, tzinfo=local)),
    ]:
        entry = audit_record(actor=None, action=AuditAction.CREATED, instance=WarehouseFactory(name=name))
        AuditLog.objects.filter(pk=entry.pk).update(created_at=moment)

    response = viewer.get(
        reverse("core:auditlog_list"), {"created_after": "2026-11-10", "created_before": "2026-11-19"}
    )

    assert _entries(response) == ["Last day", "First day"]


def test_invalid_filter_value_is_reported_on_the_form(viewer):
    audit_record(actor=None, action=AuditAction.CREATED, instance=WarehouseFactory(name="Depot"))

    response = viewer.get(reverse("core:auditlog_list"), {"action": "exploded"})

    assert response.status_code == 200
    assert "action" in response.context["filter"].form.errors


def test_sorts_by_action(viewer):
    warehouse = WarehouseFactory(name="A")
    for action in (AuditAction.CHANGED, AuditAction.APPROVED, AuditAction.DEACTIVATED):
        audit_record(actor=None, action=action, instance=warehouse)

    response = viewer.get(reverse("core:auditlog_list"), {"sort": "action"})

    assert [entry.action for entry in response.context["entries"]] == ["approved", "changed", "deactivated"]


def test_paginates(viewer, settings):
    warehouse = WarehouseFactory()
    for _ in range(settings.PAGINATE_BY + 1):
        audit_record(actor=None, action=AuditAction.CHANGED, instance=warehouse)

    response = viewer.get(reverse("core:auditlog_list"), {"page": 2})

    assert response.context["page_obj"].number == 2
    assert len(response.context["entries"]) == 1


def _add_entries(count: int, make_user) -> None:
    for index in range(count):
        actor = make_user("buyer")
        audit_record(actor=actor, action=AuditAction.CREATED, instance=WarehouseFactory(name=f"W{index}-{actor.pk}"))


def test_query_count_does_not_grow_with_rows(viewer, make_user, django_assert_num_queries):
    url = reverse("core:auditlog_list")
    _add_entries(4, make_user)
    with CaptureQueriesContext(connection) as with_n:
        viewer.get(url)
    _add_entries(3, make_user)

    with django_assert_num_queries(len(with_n.captured_queries)):
        response = viewer.get(url)

    assert len(response.context["entries"]) == 7


def test_changes_show_field_labels_and_false_values(viewer):
    # given a deactivation recorded as is_active True → False
    warehouse = WarehouseFactory(name="Depot")
    audit_record(actor=None, action=AuditAction.DEACTIVATED, instance=warehouse, changes={"is_active": [True, False]})

    # when the operation log is shown in English
    response = viewer.get(reverse("core:auditlog_list"), HTTP_ACCEPT_LANGUAGE="en")

    # then the field has its label and False is "No", not the empty dash
    assert "Active: Yes → No" in response.content.decode()


def test_detail_history_shows_field_labels_and_empty_values(client_for):
    warehouse = WarehouseFactory(name="Depot")
    audit_record(
        actor=None,
        action=AuditAction.CHANGED,
        instance=warehouse,
        changes={"name": ["Old", "Depot"], "address": ["x", ""]},
    )

    response = client_for("manager").get(
        reverse("masterdata:warehouse_detail", args=[warehouse.pk]), HTTP_ACCEPT_LANGUAGE="en"
    )

    html = response.content.decode()
    assert "Name: Old → Depot" in html
    assert "Address: x → —" in html


def test_changes_of_a_choice_field_show_its_labels(viewer):
    from apps.masterdata.tests.factories import CustomerFactory

    customer = CustomerFactory(name="Acme")
    audit_record(
        actor=None, action=AuditAction.CHANGED, instance=customer, changes={"price_level": ["wholesale", "retail"]}
    )

    response = viewer.get(reverse("core:auditlog_list"), HTTP_ACCEPT_LANGUAGE="en")

    assert "Price level: Sales (wholesale) price → Retail price" in response.content.decode()


def test_the_record_type_filter_lists_only_logged_kinds_by_their_translated_names(viewer, make_user):
    from django.utils import translation

    audit_record(actor=make_user("buyer"), action=AuditAction.CREATED, instance=WarehouseFactory(name="North"))

    with translation.override("zh-hans"):
        response = viewer.get(reverse("core:auditlog_list"), HTTP_ACCEPT_LANGUAGE="zh-hans")
        labels = [str(label) for value, label in response.context["filter"].form.fields["content_type"].choices]

    assert labels[1:] == ["仓库"]


def test_changes_show_translated_labels_and_formatted_money(make_user):
    from django.utils import translation

    from apps.core.templatetags.jxc import audit_changes
    from apps.masterdata.tests.factories import CustomerFactory

    customer = CustomerFactory()
    entry = audit_record(
        actor=make_user("sales"),
        action=AuditAction.CHANGED,
        instance=customer,
        changes={"credit_limit": [None, "1231.70"], "tags": ["", "VIP"], "lines": [None, 3]},
    )

    with translation.override("zh-hans"):
        rows = [(str(label), old, new) for label, old, new in audit_changes(entry)]

    assert rows == [("信用额度", "—", "¥1,231.70"), ("标签", "—", "VIP"), ("明细行数", "—", "3")]
