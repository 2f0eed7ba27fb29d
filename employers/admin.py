from django.contrib import admin

from ui.admin import EstimatedCountPaginator

from .models import EmployerGroup, EmployerProfile, Organisation, Position


@admin.register(EmployerGroup)
class EmployerGroupAdmin(admin.ModelAdmin):
    list_display = ["path", "kind", "tenant"]
    list_filter = ["kind"]
    search_fields = ["path"]  # trigram-indexed on PostgreSQL
    raw_id_fields = ["parent", "tenant", "members"]
    list_select_related = ["tenant"]
    show_full_result_count = False
    paginator = EstimatedCountPaginator


@admin.register(Position)
class PositionAdmin(admin.ModelAdmin):
    list_display = ["title", "tenant"]
    search_fields = ["title"]
    raw_id_fields = ["tenant"]
    list_select_related = ["tenant"]
    show_full_result_count = False
    paginator = EstimatedCountPaginator


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "town", "postcode", "tenant"]
    search_fields = ["name", "reference"]
    raw_id_fields = ["group", "tenant", "members"]
    list_select_related = ["tenant"]
    show_full_result_count = False
    paginator = EstimatedCountPaginator


@admin.register(EmployerProfile)
class EmployerProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "position"]
    raw_id_fields = ["user", "position"]
    list_select_related = ["user", "position"]
    show_full_result_count = False
    paginator = EstimatedCountPaginator
