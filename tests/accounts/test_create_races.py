"""Creating the same person at once: every racer gets an account or the form's message,
never a server error (PostgreSQL, real connections)."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from accounts.models import User
from employers.services import employer_create
from tests.factories import AdministratorFactory, EmployerGroupFactory

pytestmark = [pytest.mark.postgresql, pytest.mark.django_db(transaction=True)]
RACERS_PER_TENANT = 4


def test_one_address_created_at_once_in_two_tenants_gives_one_account_each_and_no_error():
    admins = [AdministratorFactory(), AdministratorFactory()]
    groups = {admin.pk: EmployerGroupFactory(tenant=admin.tenant) for admin in admins}
    for round_number in range(6):
        email = f"racer{round_number}@example.com"
        start = threading.Barrier(2 * RACERS_PER_TENANT)
        outcomes: list[str] = []

        def create(admin, email=email, start=start, outcomes=outcomes):
            try:
                start.wait(10)
                employer_create(
                    tenant=admin.tenant,
                    created_by=admin,
                    data={
                        "title": "Ms",
                        "first_name": "Rae",
                        "surname": "Cer",
                        "email": email,
                        "mobile": "07400 123456",
                        "employer_groups": [groups[admin.pk].pk],
                        "interfaces": ["classic"],
                        "invite": False,
                    },
                )
                outcomes.append("created")
            except ValidationError as error:
                outcomes.append(error.message_dict["email"][0].split(" is ")[0])
            except Exception as error:  # what the server would answer 500 for
                outcomes.append(f"error: {type(error).__name__}: {error}")
            finally:
                connection.close()

        threads = [
            threading.Thread(target=create, args=(admin,))
            for admin in admins
            for _ in range(RACERS_PER_TENANT)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
        assert [o for o in outcomes if o.startswith("error")] == []
        assert outcomes.count("created") == 2
        assert outcomes.count(f"The email address '{email}'") == 2 * RACERS_PER_TENANT - 2
        accounts = User.objects.filter(email=email)
        assert sorted(a.tenant_id for a in accounts) == sorted(a.tenant_id for a in admins)
        assert sum(a.username == email for a in accounts) == 1  # the other chooses at activation
