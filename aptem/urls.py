from django.contrib import admin
from django.urls import include, path

from accounts import views as account_views

urlpatterns = [
    path("", account_views.HomeView.as_view(), name="home"),
    path("", include("accounts.urls")),
    path("django-admin/", admin.site.urls),
]
