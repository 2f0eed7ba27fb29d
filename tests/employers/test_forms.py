"""employers' forms."""

import pytest

from employers.forms import EmployerForm, OrganisationForm
from tests.factories import TenantFactory

pytestmark = pytest.mark.django_db


def test_the_invitation_question_belongs_to_creation_only():
    tenant = TenantFactory()
    assert "invite" in EmployerForm(tenant=tenant).fields
    assert "invite" not in EmployerForm(tenant=tenant, editing=True).fields


def test_an_organisation_needs_a_name_with_the_products_message():
    form = OrganisationForm(data={"name": ""})
    assert form.errors == {"name": ["Enter the employer's name."]}
    assert OrganisationForm(data={"name": "Oak Joinery"}).is_valid()


def test_the_dialog_uses_the_same_organisation_form_under_its_own_prefix():
    form = OrganisationForm(
        data={"new_organisation-name": "Oak Joinery"}, prefix="new_organisation"
    )
    assert form.is_valid() and form.cleaned_data["name"] == "Oak Joinery"
