import factory
from factory.django import DjangoModelFactory

from accounts.models import (
    Permission,
    Role,
    RoleAudience,
    RolePermission,
    Tenant,
    Title,
    User,
    UserStatus,
    UserType,
)
from employers.models import EmployerGroup, Organisation, Position

PASSWORD = "correct horse battery staple"


class TenantFactory(DjangoModelFactory):
    class Meta:
        model = Tenant

    name = factory.Sequence(lambda n: f"Provider {n}")
    slug = factory.Sequence(lambda n: f"provider-{n}")


class RoleFactory(DjangoModelFactory):
    class Meta:
        model = Role
        skip_postgeneration_save = True

    tenant = factory.SubFactory(TenantFactory)
    name = factory.Sequence(lambda n: f"Role {n}")
    audience = RoleAudience.ADMINISTRATOR

    @factory.post_generation
    def permissions(self, create, extracted, **kwargs):
        for permission in extracted or ():
            RolePermission.objects.create(role=self, permission=permission)


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    tenant = factory.SubFactory(TenantFactory)
    user_type = UserType.LEARNER
    status = UserStatus.FULL
    title = Title.MS
    first_name = factory.Faker("first_name")
    surname = factory.Faker("last_name")
    email = factory.Sequence(lambda n: f"person{n}@example.com")
    username = factory.LazyAttribute(lambda user: user.email)
    mobile = "+447400123456"
    interface_classic = True

    @factory.post_generation
    def password(self, create, extracted, **kwargs):
        if extracted:
            self.set_password(extracted)
        else:
            self.set_unusable_password()
        if create:
            self.save(update_fields=["password"])


class AdministratorFactory(UserFactory):
    user_type = UserType.ADMINISTRATOR

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        permissions = [Permission.CREATE_USERS] if extracted is None else extracted
        role = RoleFactory(tenant=self.tenant, permissions=permissions)
        self.roles.add(role)


class EmployerGroupFactory(DjangoModelFactory):
    class Meta:
        model = EmployerGroup

    tenant = factory.SubFactory(TenantFactory)
    name = factory.Sequence(lambda n: f"Group {n}")


class PositionFactory(DjangoModelFactory):
    class Meta:
        model = Position

    tenant = factory.SubFactory(TenantFactory)
    title = factory.Sequence(lambda n: f"Position {n}")


class OrganisationFactory(DjangoModelFactory):
    class Meta:
        model = Organisation

    tenant = factory.SubFactory(TenantFactory)
    name = factory.Sequence(lambda n: f"Employer {n} Ltd")
    group = factory.LazyAttribute(
        lambda o: EmployerGroupFactory(tenant=o.tenant, name=o.name, kind="employer")
    )
