from django.urls import path

from . import views

app_name = "employers"

urlpatterns = [
    path("employers/add/", views.EmployerCreateView.as_view(), name="add"),
    path("organisations/", views.OrganisationListView.as_view(), name="organisation_list"),
    path("organisations/add/", views.OrganisationCreateView.as_view(), name="organisation_add"),
    path("employers/<int:pk>/edit/", views.EmployerEditView.as_view(), name="edit"),
]
