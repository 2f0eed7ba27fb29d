from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from ui.admin import EstimatedCountPaginator

from .lookups import ci
from .models import Role, RolePermission, Tenant, User


@admin.register(Tenant)
class TenantAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "slug",
        "mfv_employers",
        "mfv_learners",
        "second_factor",
        "activation_link_days",
        "access_ends_on",
    ]
    search_fields = ["name", "slug"]


class RolePermissionInline(admin.TabularInline):
    model = RolePermission
    extra = 0


@admin.register(Role)
class RoleAdmin(admin.ModelAdmin):
    list_display = ["name", "tenant", "audience"]
    list_filter = ["audience"]
    list_select_related = ["tenant"]
    search_fields = ["name"]  # trigram-indexed on PostgreSQL
    autocomplete_fields = ["tenant"]
    show_full_result_count = False
    paginator = EstimatedCountPaginator
    inlines = [RolePermissionInline]


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ["-created_at"]
    list_display = ["username", "email", "first_name", "surname", "user_type", "status", "tenant"]
    list_filter = ["user_type", "status", "is_archived"]
    list_select_related = ["tenant"]
    # Only indexed searches at a million users: names and email through their trigram indexes,
    # and a username typed whole through its unique index (get_search_results).
    search_fields = ["first_name", "surname", "email"]
    show_full_result_count = False
    paginator = EstimatedCountPaginator
    # Searchable pickers, never a list of every tenant or every role of every tenant.
    autocomplete_fields = ["tenant", "roles"]
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
                    "access_ends_on",
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

    def get_search_results(self, request, queryset, search_term):
        """A whole username finds its one account (one probe of the unique index); anything
        else searches names and email."""
        term = search_term.strip()
        if term and " " not in term:
            exact = queryset.filter(username__lower=ci(term), username__isnull=False)
            if exact.exists():
                return exact, False
        return super().get_search_results(request, queryset, search_term)
