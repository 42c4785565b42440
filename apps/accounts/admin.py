from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from apps.accounts.models import User
from apps.accounts.roles import ROLE_LABELS


class AssignedWarehouseInline(admin.TabularInline):
    """The warehouses a user is assigned to, read-only: assignments are edited on the warehouse."""

    # The through table of masterdata.Warehouse.assigned_users, reached from the user side so
    # that accounts does not import masterdata (the dependency points the other way).
    model = User.assigned_warehouses.through
    fields = ["warehouse"]
    readonly_fields = ["warehouse"]
    extra = 0
    can_delete = False
    verbose_name = _("assigned warehouse")
    verbose_name_plural = _("assigned warehouses")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    """User management for administrators: roles are the groups."""

    list_display = [
        "username",
        "full_name",
        "roles",
        "sees_all_warehouses",
        "sees_all_customers",
        "is_active",
        "is_staff",
        "last_login",
    ]
    list_filter = ["groups", "sees_all_warehouses", "sees_all_customers", "is_active", "is_staff"]
    inlines = [AssignedWarehouseInline]
    # Data scope fails closed: without these a user sees only assigned warehouses / own customers.
    fieldsets = (
        *DjangoUserAdmin.fieldsets,
        (_("Data scope"), {"fields": ("sees_all_warehouses", "sees_all_customers")}),
    )
    add_fieldsets = (
        *DjangoUserAdmin.add_fieldsets,
        (_("Data scope"), {"fields": ("sees_all_warehouses", "sees_all_customers")}),
    )

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("groups")

    @admin.display(description=_("full name"))
    def full_name(self, obj: User) -> str:
        return obj.get_full_name()

    @admin.display(description=_("roles"))
    def roles(self, obj: User) -> str:
        return ", ".join(sorted(str(ROLE_LABELS.get(group.name, group.name)) for group in obj.groups.all()))
