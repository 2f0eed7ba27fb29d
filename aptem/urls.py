from django.contrib import admin
from django.urls import include, path

from accounts import views as account_views

urlpatterns = [
    path("", account_views.HomeView.as_view(), name="home"),
    path("", include("accounts.urls")),
    path("", include("employers.urls")),
    path("", include("learners.urls")),
    path("django-admin/", admin.site.urls),
    # Email provider tracking webhooks (delivered, bounced), protected by ANYMAIL_WEBHOOK_SECRET.
    path("anymail/", include("anymail.urls")),
]

handler500 = "aptem.errors.server_error"
