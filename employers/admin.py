from django.contrib import admin

from .models import EmployerGroup, Organisation, Position


@admin.register(EmployerGroup)
class EmployerGroupAdmin(admin.ModelAdmin):
    list_display = ["path", "kind", "tenant"]
    list_filter = ["kind"]
    search_fields = ["name"]
    raw_id_fields = ["parent", "tenant"]
    show_full_result_count = False


@admin.register(Position)
class PositionAdmin(admin.ModelAdmin):
    list_display = ["title", "tenant"]
    search_fields = ["title"]


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "town", "postcode", "tenant"]
    search_fields = ["name", "reference"]
    raw_id_fields = ["group", "tenant"]
