import factory
from django.contrib.auth.models import Group

from apps.accounts.models import User
from apps.accounts.roles import scope_defaults


def _scope(params, flag: str) -> bool:
    if not params.scoped:
        return True
    return scope_defaults([params.role] if params.role else [])[flag]


class UserFactory(factory.django.DjangoModelFactory):
    """A user, optionally in a role group: ``UserFactory(role="sales")``.

    Test users see every warehouse and customer unless the test limits them, so that a test
    about something else needs no assignments: ``UserFactory(role="sales", sees_all_customers=False)``
    (or ``scoped=True`` for the role's usual scope, ``roles.ROLE_SCOPE_DEFAULTS``). The model's own
    default is the opposite (fail closed).
    """

    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name")
    password = factory.django.Password("pass-1234")
    role = None
    sees_all_warehouses = factory.LazyAttribute(lambda o: _scope(o, "sees_all_warehouses"))
    sees_all_customers = factory.LazyAttribute(lambda o: _scope(o, "sees_all_customers"))

    class Params:
        scoped = False

    @classmethod
    def _create(cls, model_class, *args, role=None, **kwargs):
        if role == "admin":
            kwargs.setdefault("is_staff", True)
        user = super()._create(model_class, *args, **kwargs)
        if role:
            user.groups.add(Group.objects.get(name=role))
        return user
