"""The product's URLs plus Django's own password-reset confirm view, for token-separation tests."""

from django.contrib.auth import views as auth_views
from django.urls import path

from aptem.urls import urlpatterns as product_urlpatterns

urlpatterns = [
    *product_urlpatterns,
    path(
        "test-only/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(template_name="accounts/activate.html"),
    ),
]
