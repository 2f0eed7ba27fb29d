"""What learners adds to pages other apps own (registered from ``LearnersConfig.ready``)."""

from django.http import HttpRequest
from django.urls import reverse

from accounts import parts as pages
from accounts.models import User, UserType
from ui import parts

from . import selectors
from .models import LearnerProfile


@parts.register(pages.PROFILE_PERSONAL_DETAILS, order=10)
def birth_and_insurance(profile: User) -> list[pages.Detail] | None:
    if profile.user_type != UserType.LEARNER:
        return None
    details = LearnerProfile.objects.filter(user=profile).first()
    born = details.date_of_birth if details else None
    return [
        pages.Detail("Date of birth", [f"{born:%-d %B %Y}"] if born else [], empty="Not given"),
        pages.Detail(
            "National Insurance number",
            [details.national_insurance_display]
            if details and details.national_insurance_number
            else [],
            empty="Not given",
        ),
    ]


@parts.register(pages.PROFILE_SECTIONS, order=10)
def employer_records(request: HttpRequest, profile: User) -> pages.Section | None:
    records = selectors.employer_records_of(learner=profile)
    if not records:
        return None
    return pages.Section("learners/includes/profile_employers.html", {"records": records})


@parts.register(pages.PROFILE_SECTIONS, order=20)
def supported_learners(request: HttpRequest, profile: User) -> pages.Section | None:
    records = list(selectors.learners_supported_by(person=profile))
    if not records:
        return None
    return pages.Section(
        "learners/includes/profile_supported.html",
        {"records": records, "person": profile, "user": request.user},
    )


@parts.register(pages.HOME_SECTIONS, order=10)
def your_learners(request: HttpRequest) -> pages.Section | None:
    user = request.user
    if not user.is_authenticated or user.user_type != UserType.EMPLOYER:
        return None
    records = list(selectors.learners_supported_by(person=user))
    if not records:
        return None
    return pages.Section(
        "learners/includes/home_learners.html", {"records": records, "person": user, "user": user}
    )


@parts.register(pages.CREATE_KINDS, order=10)
def learner_kind() -> pages.CreateKind:
    return pages.CreateKind(
        slug="learner",
        noun="learner",
        label="Learner",
        url=reverse("learners:add"),
        description="an apprentice on one of your programmes",
    )
