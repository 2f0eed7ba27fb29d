"""The tenant's security settings page, and the mobile rule it switches on everywhere."""

import pytest
from django.urls import reverse

from accounts.models import AuditEvent, Permission, SecondFactor, Tenant, UserType
from accounts.services import MOBILE_REQUIRED_MFV
from tests.factories import AdministratorFactory, UserFactory

pytestmark = pytest.mark.django_db
SETTINGS = reverse("accounts:security_settings")
EVERYTHING = [choice for choice, _ in Permission.choices]


@pytest.fixture
def admin(client):
    admin = AdministratorFactory(roles=EVERYTHING, first_name="Sec")
    client.force_login(admin)
    return admin


def settings_post(**overrides) -> dict:
    data = {"second_factor": "off", "activation_link_days": "7"}
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def test_only_roles_granting_manage_security_settings_reach_the_page(client):
    assert client.get(SETTINGS).status_code == 302
    client.force_login(AdministratorFactory(roles=[Permission.CREATE_USERS]))
    assert client.get(SETTINGS).status_code == 403
    assert b"Security settings" not in client.get("/").content
    client.force_login(AdministratorFactory(roles=[Permission.MANAGE_SECURITY]))
    assert client.get(SETTINGS).status_code == 200
    assert b"Security settings" in client.get("/").content


def test_each_change_is_saved_and_audited_with_who_made_it(client, admin):
    response = client.post(
        SETTINGS,
        settings_post(mfv_employers="on", second_factor="optional", activation_link_days="3"),
        follow=True,
    )
    tenant = Tenant.objects.get(pk=admin.tenant_id)
    assert tenant.mfv_employers and not tenant.mfv_learners
    assert tenant.second_factor == SecondFactor.OPTIONAL
    assert tenant.activation_link_days == 3
    summaries = set(
        AuditEvent.objects.filter(tenant=tenant, action="tenant.security").values_list(
            "summary", flat=True
        )
    )
    assert summaries == {
        "Require multi-factor verification for employer logins: off → on",
        "Second factor at sign-in: Off → Optional: each person may turn it on",
        "Activation link lifetime (days): 7 → 3",
    }
    page = response.content.decode()
    assert "Security settings saved." in page
    assert "by Sec " in page  # the history names who changed it

    client.post(
        SETTINGS,
        settings_post(mfv_employers="on", second_factor="optional", activation_link_days="3"),
    )
    assert AuditEvent.objects.filter(tenant=tenant, action="tenant.security").count() == 3


@pytest.mark.parametrize("days", ["0", "91", "seven", ""])
def test_the_link_lifetime_must_be_1_to_90_days(client, admin, days):
    response = client.post(SETTINGS, settings_post(activation_link_days=days))
    assert response.status_code == 422
    assert "Enter a number of days from 1 to 90." in response.content.decode()
    assert Tenant.objects.get(pk=admin.tenant_id).activation_link_days == 7


def test_turning_verification_on_names_how_many_people_lack_a_mobile(client, admin):
    UserFactory.create_batch(2, tenant=admin.tenant, mobile="")
    UserFactory(tenant=admin.tenant, mobile="", is_archived=True)  # not counted
    response = client.post(SETTINGS, settings_post(mfv_learners="on"), follow=True)
    assert "people have no mobile number" in response.content.decode()
    missing = client.get(reverse("accounts:user_list"), {"missing_mobile": "on", "per_page": 100})
    listed = {row.pk for row in missing.context["page"].rows}
    assert len(listed) >= 2 and all(not row.mobile for row in missing.context["page"].rows)


def test_a_profile_without_a_mobile_warns_once_verification_is_on(client, admin):
    person = UserFactory(tenant=admin.tenant, mobile="")
    profile = reverse("accounts:user_detail", args=[person.pk])
    assert "No mobile number" not in client.get(profile).content.decode()
    admin.tenant.mfv_employers = True
    admin.tenant.save()
    assert "No mobile number" in client.get(profile).content.decode()


def employer_post(group_pk, **overrides):
    data = {
        "title": "Mr",
        "first_name": "Sam",
        "surname": "Khan",
        "email": "sam@khan.example",
        "mobile": "",
        "employer_groups": [group_pk],
        "interfaces": ["console"],
        "invite": "no",
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize("mfv", ["employers", "learners"])
def test_with_verification_on_every_form_refuses_a_missing_mobile_with_one_message(
    client, admin, mfv
):
    from tests.factories import EmployerGroupFactory

    setattr(admin.tenant, f"mfv_{mfv}", True)
    admin.tenant.save()
    group = EmployerGroupFactory(tenant=admin.tenant)
    employer = UserFactory(tenant=admin.tenant, user_type=UserType.EMPLOYER, mobile="")
    learner = UserFactory(tenant=admin.tenant, user_type=UserType.LEARNER, mobile="")
    learner_post = {
        "title": "Ms",
        "first_name": "Lea",
        "surname": "Park",
        "email": "lea@park.example",
        "mobile": "",
        "invite": "no",
    }
    posts = {
        reverse("employers:add"): employer_post(group.pk),
        reverse("employers:edit", args=[employer.pk]): employer_post(
            group.pk, email=employer.email
        ),
        reverse("learners:add"): learner_post,
        reverse("learners:edit", args=[learner.pk]): {**learner_post, "email": learner.email},
    }
    for url, data in posts.items():
        response = client.post(url, data)
        assert response.status_code == 422, url
        assert MOBILE_REQUIRED_MFV in response.content.decode().replace("&#x27;", "'"), url


def test_with_verification_off_the_mobile_message_is_the_seeds_own(client, admin):
    """The seed makes the mobile mandatory for employers and learners anyway; verification
    extends it to anyone and says why. Off, the plain message, never the verification one."""
    from tests.factories import EmployerGroupFactory

    group = EmployerGroupFactory(tenant=admin.tenant)
    response = client.post(reverse("employers:add"), employer_post(group.pk))
    page = response.content.decode()
    assert response.status_code == 422
    assert "Enter a mobile number." in page and "multi-factor" not in page
    response = client.post(reverse("employers:add"), employer_post(group.pk, mobile="07400 123456"))
    assert response.status_code == 302
