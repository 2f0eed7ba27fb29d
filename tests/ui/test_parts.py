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
def test_an_employer_profile_gets_employers_edit_action_and_a_learner_does_not(rf):
    admin = AdministratorFactory()
    employer = UserFactory(tenant=admin.tenant, user_type="employer")
    learner = UserFactory(tenant=admin.tenant, user_type="learner")
    actions = parts.collect(pages.PROFILE_ACTIONS, admin, employer)
    assert [action.label for action in actions] == ["Edit"]
    assert parts.collect(pages.PROFILE_ACTIONS, admin, learner) == []
