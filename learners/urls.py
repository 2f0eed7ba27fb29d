from django.urls import path

from . import views

app_name = "learners"

urlpatterns = [
    path("learners/add/", views.LearnerCreateView.as_view(), name="add"),
    path("learners/add/employer/", views.EmployerRecordView.as_view(), name="employer_record"),
]
