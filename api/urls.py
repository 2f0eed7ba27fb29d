from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView

from . import organisations, pages, users

app_name = "api"

# Under one prefix: a call to the API is resolved without reading the other pages' patterns.
version_1 = [
    path("users/", users.UserListView.as_view(), name="users"),
    path("users/<int:pk>/", users.UserView.as_view(), name="user"),
    path("users/<int:pk>/invitation/", users.InvitationView.as_view(), name="invitation"),
    path("users/<int:pk>/cancel/", users.CancelView.as_view(), name="cancel"),
    path("users/<int:pk>/reactivate/", users.ReactivateView.as_view(), name="reactivate"),
    path("users/<int:pk>/archive/", users.ArchiveView.as_view(), name="archive"),
    path("users/<int:pk>/unarchive/", users.UnarchiveView.as_view(), name="unarchive"),
    path("employers/", users.EmployerCreateView.as_view(), name="employers"),
    path("employers/bulk/", users.EmployerBulkView.as_view(), name="employers_bulk"),
    path("learners/", users.LearnerCreateView.as_view(), name="learners"),
    path("organisations/", organisations.OrganisationListView.as_view(), name="organisations"),
    path("employer-groups/", organisations.GroupListView.as_view(), name="groups"),
    path("roles/", organisations.RoleListView.as_view(), name="roles"),
    path("positions/", organisations.PositionListView.as_view(), name="positions"),
]
urlpatterns = [
    path("api/v1/", include(version_1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", pages.ApiDocsView.as_view(), name="docs"),
    path("settings/api-tokens/", pages.TokenListView.as_view(), name="tokens"),
    path("settings/api-tokens/<int:pk>/revoke/", pages.TokenRevokeView.as_view(), name="revoke"),
]
