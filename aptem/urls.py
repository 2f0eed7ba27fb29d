from anymail import urls as anymail_urls
from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from accounts import views as account_views

urlpatterns = [
    # The API first: a call is then resolved among its own few patterns, not after every page's.
    path("", include("api.urls")),
    path("", account_views.HomeView.as_view(), name="home"),
    path("", include("accounts.urls")),
    path("", include("employers.urls")),
    path("", include("learners.urls")),
    path("", include("uploads.urls")),
    path("django-admin/", admin.site.urls),
]
if settings.ANYMAIL.get("WEBHOOK_SECRET"):
    # Email provider tracking webhooks (delivered, bounced): served only with their shared
    # secret, which anymail checks on every call. Without it, nobody could tell a forged event.
    # Only the chosen provider's (another's, not installed, would answer a 500).
    hooks = [
        pattern
        for pattern in anymail_urls.urlpatterns
        if str(pattern.pattern).lstrip("^").startswith(f"{settings.EMAIL_PROVIDER}/")
    ]
    urlpatterns.append(path("anymail/", include((hooks, anymail_urls.app_name))))

handler400 = "aptem.errors.bad_request"
handler404 = "aptem.errors.page_not_found"
handler500 = "aptem.errors.server_error"
