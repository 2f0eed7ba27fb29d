from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from .models import Role, RolePermission, Tenant, User


@admin.register(Tenant)
class TenantAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "mfv_required", "activation_link_days"]
    search_fields = ["name", "slug"]


class RolePermissionInline(admin.TabularInline):
    model = RolePermission
    extra = 0


@admin.register(Role)
class RoleAdmin(admin.ModelAdmin):
    list_display = ["name", "tenant", "audience"]
    list_filter = ["audience"]
    search_fields = ["name"]
    inlines = [RolePermissionInline]


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ["-created_at"]
    list_display = ["username", "email", "first_name", "surname", "user_type", "status", "tenant"]
    list_filter = ["user_type", "status", "is_archived"]
    list_select_related = ["tenant"]
    search_fields = ["first_name", "surname", "email", "username"]
    show_full_result_count = False
    raw_id_fields = ["tenant"]
    filter_horizontal = ["roles"]
    fieldsets = [
        (None, {"fields": ["tenant", "username", "password"]}),
        (
            "Personal details",
            {"fields": ["title", "first_name", "surname", "email", "mobile", "gender"]},
        ),
        (
            "Address",
            {
                "fields": [
                    "address_line_1",
                    "address_line_2",
                    "address_line_3",
                    "town",
                    "county",
                    "postcode",
                ]
            },
        ),
        (
            "Account",
            {
                "fields": [
                    "user_type",
                    "status",
                    "is_archived",
                    "roles",
                    "interface_classic",
                    "interface_console",
                ]
            },
        ),
        ("Platform", {"fields": ["is_active", "is_staff", "is_superuser"]}),
    ]
    add_fieldsets = [
        (
            None,
            {
                "classes": ["wide"],
                "fields": [
                    "tenant",
                    "username",
                    "email",
                    "first_name",
                    "surname",
                    "title",
                    "user_type",
                    "password1",
                    "password2",
                ],
            },
        )
    ]
