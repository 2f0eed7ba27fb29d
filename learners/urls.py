from django.urls import path

from . import views

app_name = "learners"

urlpatterns = [
    path("learners/add/", views.LearnerCreateView.as_view(), name="add"),
    *(
        path(
            f"learners/add/{section.name}/",
            views.LearnerCreateView.as_view(section=section),
            name=f"add_{section.name.replace('-', '_')}",
        )
        for section in views.SECTIONS.values()
    ),
    path("learners/<int:pk>/edit/", views.LearnerEditView.as_view(), name="edit"),
    *(
        path(
            f"learners/<int:pk>/edit/{section.name}/",
            views.LearnerEditView.as_view(section=section),
            name=f"edit_{section.name.replace('-', '_')}",
        )
        for section in views.SECTIONS.values()
    ),
    path("learners/add/employer-draft/", views.EmployerDraftView.as_view(), name="employer_draft"),
    path("learners/add/employer/", views.EmployerRecordView.as_view(), name="employer_record"),
    path(
        "learners/<int:pk>/employers/add/",
        views.LearnerRecordAddView.as_view(),
        name="record_add",
    ),
    path("employer-records/<int:pk>/edit/", views.RecordEditView.as_view(), name="record_edit"),
    path("employer-records/<int:pk>/end/", views.RecordEndView.as_view(), name="record_end"),
    path(
        "employer-records/<int:pk>/primary/",
        views.RecordPrimaryView.as_view(),
        name="record_primary",
    ),
]
