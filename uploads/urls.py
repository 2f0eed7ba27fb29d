from django.urls import path

from . import views

app_name = "uploads"

urlpatterns = [
    path("users/upload/", views.UploadView.as_view(), name="upload"),
    path(
        "users/upload/template/<slug:kind>.csv", views.TemplateFileView.as_view(), name="template"
    ),
    path("users/upload/<int:pk>/", views.UploadDetailView.as_view(), name="detail"),
    path("users/upload/<int:pk>/import/", views.UploadConfirmView.as_view(), name="confirm"),
    path("users/upload/<int:pk>/report.csv", views.UploadReportView.as_view(), name="report"),
]
