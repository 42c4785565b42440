import pytest

from apps.accounts.models import User


@pytest.mark.parametrize(
    ("first_name", "last_name", "shown"),
    [
        ("仓管", "王", "王仓管"),
        ("Ada", "Lovelace", "Ada Lovelace"),
        ("", "王", "王"),
        ("Ada", "", "Ada"),
    ],
)
def test_a_name_reads_the_way_its_owner_writes_it(first_name, last_name, shown):
    user = User(username="u", first_name=first_name, last_name=last_name)

    assert user.get_full_name() == shown
    assert str(user) == shown


def test_a_user_without_a_name_shows_the_username():
    assert str(User(username="warehouse")) == "warehouse"
