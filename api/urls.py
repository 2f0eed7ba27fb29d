from django.urls import path
from drf_spectacular.views import SpectacularAPIView

from . import pages, views

app_name = "api"

urlpatterns = [
    path("api/v1/users/", views.UserListView.as_view(), name="users"),
    path("api/v1/users/<int:pk>/", views.UserView.as_view(), name="user"),
    path("api/v1/users/<int:pk>/invitation/", views.InvitationView.as_view(), name="invitation"),
    path("api/v1/users/<int:pk>/cancel/", views.CancelView.as_view(), name="cancel"),
    path("api/v1/users/<int:pk>/reactivate/", views.ReactivateView.as_view(), name="reactivate"),
    path("api/v1/users/<int:pk>/archive/", views.ArchiveView.as_view(), name="archive"),
    path("api/v1/users/<int:pk>/unarchive/", views.UnarchiveView.as_view(), name="unarchive"),
    path("api/v1/employers/", views.EmployerCreateView.as_view(), name="employers"),
    path("api/v1/employers/bulk/", views.EmployerBulkView.as_view(), name="employers_bulk"),
    path("api/v1/learners/", views.LearnerCreateView.as_view(), name="learners"),
    path("api/v1/organisations/", views.OrganisationListView.as_view(), name="organisations"),
    path("api/v1/employer-groups/", views.GroupListView.as_view(), name="groups"),
    path("api/v1/roles/", views.RoleListView.as_view(), name="roles"),
    path("api/v1/positions/", views.PositionListView.as_view(), name="positions"),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", pages.ApiDocsView.as_view(), name="docs"),
    path("settings/api-tokens/", pages.TokenListView.as_view(), name="tokens"),
    path("settings/api-tokens/<int:pk>/revoke/", pages.TokenRevokeView.as_view(), name="revoke"),
]
