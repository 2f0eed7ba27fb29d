from django.urls import path
from drf_spectacular.views import SpectacularAPIView

from . import organisations, pages, users

app_name = "api"

urlpatterns = [
    path("api/v1/users/", users.UserListView.as_view(), name="users"),
    path("api/v1/users/<int:pk>/", users.UserView.as_view(), name="user"),
    path("api/v1/users/<int:pk>/invitation/", users.InvitationView.as_view(), name="invitation"),
    path("api/v1/users/<int:pk>/cancel/", users.CancelView.as_view(), name="cancel"),
    path("api/v1/users/<int:pk>/reactivate/", users.ReactivateView.as_view(), name="reactivate"),
    path("api/v1/users/<int:pk>/archive/", users.ArchiveView.as_view(), name="archive"),
    path("api/v1/users/<int:pk>/unarchive/", users.UnarchiveView.as_view(), name="unarchive"),
    path("api/v1/employers/", users.EmployerCreateView.as_view(), name="employers"),
    path("api/v1/employers/bulk/", users.EmployerBulkView.as_view(), name="employers_bulk"),
    path("api/v1/learners/", users.LearnerCreateView.as_view(), name="learners"),
    path(
        "api/v1/organisations/", organisations.OrganisationListView.as_view(), name="organisations"
    ),
    path("api/v1/employer-groups/", organisations.GroupListView.as_view(), name="groups"),
    path("api/v1/roles/", organisations.RoleListView.as_view(), name="roles"),
    path("api/v1/positions/", organisations.PositionListView.as_view(), name="positions"),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", pages.ApiDocsView.as_view(), name="docs"),
    path("settings/api-tokens/", pages.TokenListView.as_view(), name="tokens"),
    path("settings/api-tokens/<int:pk>/revoke/", pages.TokenRevokeView.as_view(), name="revoke"),
]
