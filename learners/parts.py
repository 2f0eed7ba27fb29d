"""What learners adds to pages other apps own (registered from ``LearnersConfig.ready``)."""

from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from accounts import parts as pages
from accounts.models import User, UserType
from ui import parts
from ui.pagination import page_of
from ui.parsing import parse_page_number

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
def employer_records(request: HttpRequest, profile: User) -> pages.TemplateBlock | None:
    """A learner's current employers (with their actions, for administrators who may change
    them) and the ones that have ended."""
    if profile.user_type != UserType.LEARNER:
        return None
    user = request.user
    return pages.TemplateBlock(
        "learners/includes/profile_employers.html",
        {
            "records": selectors.employer_records_of(learner=profile),
            "past_records": selectors.employer_records_of(learner=profile, current=False),
            "profile": profile,
            "can_change": getattr(user, "can_create_users", False) and not profile.is_archived,
        },
    )


SUPPORTED_PER_PAGE = 25
SUPPORTED_PAGE_PARAM = "learners_page"


def supported_page(request: HttpRequest, person: User) -> dict[str, Any] | None:
    """One page of the learners ``person`` manages or mentors (a manager may have thousands)."""
    page = page_of(
        selectors.learners_supported_by(person=person),
        number=parse_page_number(request.GET.get(SUPPORTED_PAGE_PARAM)),
        per_page=SUPPORTED_PER_PAGE,
    )
    if not page.rows and page.number == 1:
        return None
    return {
        "page": page,
        "records": page.rows,
        "person": person,
        "user": request.user,
        "param": SUPPORTED_PAGE_PARAM,
    }


@parts.register(pages.PROFILE_SECTIONS, order=20)
def supported_learners(request: HttpRequest, profile: User) -> pages.TemplateBlock | None:
    context = supported_page(request, profile)
    return (
        pages.TemplateBlock("learners/includes/profile_supported.html", context)
        if context
        else None
    )


@parts.register(pages.HOME_SECTIONS, order=10)
def your_learners(request: HttpRequest) -> pages.TemplateBlock | None:
    user = request.user
    if not user.is_authenticated or user.user_type != UserType.EMPLOYER:
        return None
    context = supported_page(request, user)
    if context is None:
        # An employer with no learners yet: say what this page will hold, and who to ask.
        return pages.TemplateBlock("learners/includes/home_no_learners.html", {"user": user})
    return pages.TemplateBlock("learners/includes/home_learners.html", context)


@parts.register(pages.PROFILE_ACTIONS, order=10)
def edit_learner(viewer: User, profile: User) -> pages.Action | None:
    if profile.user_type != UserType.LEARNER or not viewer.can_create_users:
        return None
    if profile.is_archived:
        return None
    return pages.Action(label="Edit", url=reverse("learners:edit", args=[profile.pk]))


@parts.register(pages.CREATE_KINDS, order=10)
def learner_kind() -> pages.CreateKind:
    return pages.CreateKind(
        slug="learner",
        noun="learner",
        label="Learner",
        url=reverse("learners:add"),
        description="an apprentice on one of your programmes",
    )
