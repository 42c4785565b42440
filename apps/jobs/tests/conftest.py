import pytest

from apps.jobs.testing import migrated_database, sandbox_from


@pytest.fixture(scope="session")
def migrated_sqlite(tmp_path_factory):
    return migrated_database(tmp_path_factory.mktemp("sandbox-template"))


@pytest.fixture
def sandbox(migrated_sqlite, tmp_path):
    return sandbox_from(migrated_sqlite, tmp_path)
