"""Pages made of parts: the registry collects what apps register, in order, once each."""

import pytest

from accounts import parts as pages
from tests.factories import AdministratorFactory, UserFactory
from ui import parts


def test_parts_come_in_order_and_are_registered_once():
    hook = "tests.example"

    @parts.register(hook, order=20)
    def second():
        return "second"

    @parts.register(hook, order=10)
    def first():
        return ["first", None]

    parts.register(hook, order=10)(first)  # a second ready() must not double it

    @parts.register(hook)
    def nothing():
        return None

    assert parts.collect(hook) == ["first", None, "second"]


@pytest.mark.django_db
def test_the_create_menu_offers_what_the_apps_registered():
    kinds = pages.create_kinds()
    assert [kind.label for kind in kinds.values()] == ["Learner", "Employer"]
    assert kinds["employer"].url == "/employers/add/"


@pytest.mark.django_db
def test_each_profile_gets_its_own_apps_edit_action(rf):
    from django.urls import reverse

    admin = AdministratorFactory()
    employer = UserFactory(tenant=admin.tenant, user_type="employer")
    learner = UserFactory(tenant=admin.tenant, user_type="learner")
    for person, url in (
        (employer, reverse("employers:edit", args=[employer.pk])),
        (learner, reverse("learners:edit", args=[learner.pk])),
    ):
        actions = parts.collect(pages.PROFILE_ACTIONS, admin, person)
        assert [(action.label, action.url) for action in actions] == [("Edit", url)]
    viewer = AdministratorFactory(tenant=admin.tenant, roles=[])
    assert parts.collect(pages.PROFILE_ACTIONS, viewer, learner) == []
