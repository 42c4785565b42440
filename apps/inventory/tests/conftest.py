import pytest


@pytest.fixture
def make_user(make_user):
    """Sync the role groups before handing out users.

    On main the groups are synced when ``accounts`` migrates, before the inventory permissions
    exist; the shell branch moves the sync after the last app. Until it lands, sync here.
    """
    from apps.accounts.roles import sync_role_permissions

    sync_role_permissions()
    return make_user
