import pytest
from django.core.exceptions import ValidationError

from apps.core.models import AuditAction, AuditLog
from apps.masterdata import services
from apps.masterdata.models import Brand, Category, Unit
from apps.masterdata.tests.factories import BrandFactory, CategoryFactory, ProductFactory, UnitFactory, WarehouseFactory

pytestmark = pytest.mark.django_db


def test_category_cannot_move_under_its_descendant(make_user):
    user = make_user()
    root = CategoryFactory(code="ROOT")
    child = CategoryFactory(code="CHILD", parent=root)
    grandchild = CategoryFactory(code="GRAND", parent=child)

    with pytest.raises(ValidationError) as error:
        services.category_update(actor=user, category=root, data={"parent": grandchild})

    assert error.value.message_dict["parent"] == [
        "A category cannot be placed under itself or one of its subcategories."
    ]
    root.refresh_from_db()
    assert root.parent is None
    assert AuditLog.objects.count() == 0


def test_category_cannot_be_its_own_parent(make_user):
    category = CategoryFactory()

    with pytest.raises(ValidationError):
        services.category_update(actor=make_user(), category=category, data={"parent": category})

    assert Category.objects.get(pk=category.pk).parent_id is None


def test_unit_create_refuses_duplicate_code_in_any_case(make_user):
    UnitFactory(code="PCS", name="个")

    with pytest.raises(ValidationError) as error:
        services.unit_create(actor=make_user(), data={"code": "pcs", "name": "只"})

    assert error.value.message_dict["code"] == ["Code pcs is already used by 个."]
    assert Unit.objects.count() == 1


def test_unit_update_records_changes(make_user):
    unit = UnitFactory(code="PCS", name="个")

    services.unit_update(actor=make_user(), unit=unit, data={"code": "PCS", "name": "只"})

    entry = AuditLog.objects.get(action=AuditAction.CHANGED)
    assert entry.changes == {"name": ["个", "只"]}


def test_deactivate_and_activate_write_audit_rows_once(make_user):
    user = make_user()
    unit = UnitFactory()

    services.record_set_active(actor=user, instance=unit, active=False)
    services.record_set_active(actor=user, instance=unit, active=False)
    services.record_set_active(actor=user, instance=unit, active=True)

    unit.refresh_from_db()
    assert unit.is_active is True
    assert list(AuditLog.objects.order_by("id").values_list("action", flat=True)) == [
        AuditAction.DEACTIVATED,
        AuditAction.ACTIVATED,
    ]


def test_delete_of_a_referenced_unit_is_refused_with_advice(make_user):
    product = ProductFactory()

    with pytest.raises(ValidationError) as error:
        services.record_delete(actor=make_user(), instance=product.base_unit)

    assert error.value.messages == ["个 cannot be deleted: it is used by 1 record(s) (product). Deactivate it instead."]
    assert Unit.objects.filter(pk=product.base_unit_id).exists()


def test_delete_of_an_unused_record_removes_it(make_user):
    unit = UnitFactory(code="KG", name="kg")

    services.record_delete(actor=make_user(), instance=unit)

    assert not Unit.objects.filter(pk=unit.pk).exists()


def test_warehouse_update_records_assigned_users(make_user):
    user, keeper = make_user(), make_user("warehouse", username="keeper")
    warehouse = WarehouseFactory()

    services.warehouse_update(
        actor=user,
        warehouse=warehouse,
        data={"code": warehouse.code, "name": warehouse.name, "address": "", "manager": None},
        assigned_users=[keeper],
    )

    assert list(warehouse.assigned_users.all()) == [keeper]
    assert AuditLog.objects.get().changes == {"assigned_users": ["", str(keeper)]}


def test_brand_create_refuses_a_name_that_differs_only_in_case(make_user):
    existing = BrandFactory(name="Bosch")

    with pytest.raises(ValidationError) as error:
        services.brand_create(actor=make_user(), data={"name": "bosch"})

    assert error.value.message_dict["name"] == ["Name bosch is already used by Bosch."]
    assert list(Brand.objects.values_list("name", flat=True)) == [existing.name]
    assert AuditLog.objects.count() == 0


def test_unit_rename_refuses_another_units_name_in_any_case(make_user):
    UnitFactory(code="KG", name="kg")
    unit = UnitFactory(code="G", name="g")

    with pytest.raises(ValidationError) as error:
        services.unit_update(actor=make_user(), unit=unit, data={"name": "KG"})

    assert error.value.message_dict["name"] == ["Name KG is already used by kg."]
    assert Unit.objects.get(pk=unit.pk).name == "g"


def test_brand_keeps_its_own_name_when_only_the_case_changes(make_user):
    brand = BrandFactory(name="bosch")

    services.brand_update(actor=make_user(), brand=brand, data={"name": "Bosch"})

    assert Brand.objects.get(pk=brand.pk).name == "Bosch"
