from django.urls import path

from . import views
from .sections import SECTIONS

app_name = "employers"


def form_page(route: str, view, name: str) -> list:
    """The form page, and one endpoint under it for each of its section buttons."""
    return [
        path(route, view.as_view(), name=name),
        *(
            path(
                f"{route}{section.name}/",
                view.as_view(section=section),
                name=f"{name}_{section.name.replace('-', '_')}",
            )
            for section in SECTIONS.values()
        ),
    ]


urlpatterns = [
    *form_page("employers/add/", views.EmployerCreateView, "add"),
    *form_page("employers/<int:pk>/edit/", views.EmployerEditView, "edit"),
    path(
        "employers/positions/options/", views.PositionOptionsView.as_view(), name="position_options"
    ),
    path("employers/groups/options/", views.GroupOptionsView.as_view(), name="group_options"),
    path(
        "employers/groups/filter-options/",
        views.GroupFilterOptionsView.as_view(),
        name="group_filter_options",
    ),
    path(
        "organisations/options/",
        views.OrganisationOptionsView.as_view(),
        name="organisation_options",
    ),
    path(
        "organisations/<int:pk>/staff/options/",
        views.StaffOptionsView.as_view(),
        name="staff_options",
    ),
    path("organisations/", views.OrganisationListView.as_view(), name="organisation_list"),
    path("organisations/add/", views.OrganisationCreateView.as_view(), name="organisation_add"),
]
