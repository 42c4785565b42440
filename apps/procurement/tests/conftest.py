import pytest


@pytest.fixture(autouse=True)
def _roles_synced(db):
    """Give the role groups the purchasing permissions.

    On main, roles are synced when ``accounts`` finishes migrating, before procurement's
    permissions exist (feat/shell moves the sync after the last app); until that lands, sync here.
    """
    from apps.accounts.roles import sync_role_permissions

    sync_role_permissions()
