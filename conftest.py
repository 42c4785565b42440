"""Project-wide pytest fixtures: users by role, logged-in clients, database vendor marks."""

import os

import pytest
from django.db import connection


def pytest_collection_modifyitems(config, items):
    """Skip ``postgres`` tests on SQLite, unless CI demands they run (then they fail loudly)."""
    if os.environ.get("DATABASE_URL", "").startswith("postgres"):
        return
    if os.environ.get("REQUIRE_POSTGRES_TESTS") == "1":
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL: set DATABASE_URL=postgres://...")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)


@pytest.fixture
def is_postgres() -> bool:
    return connection.vendor == "postgresql"


@pytest.fixture
def make_user(db):
    """``make_user(role)`` -> a user in that role group (``None`` for no role)."""
    from apps.accounts.tests.factories import UserFactory

    def _make(role: str | None = None, **kwargs):
        return UserFactory(role=role, **kwargs)

    return _make


@pytest.fixture
def client_for(client, make_user):
    """``client_for(role)`` -> a test client logged in as a fresh user of that role."""

    def _client(role: str | None = None, **kwargs):
        user = make_user(role, **kwargs)
        client.force_login(user)
        client.user = user
        return client

    return _client


@pytest.fixture
def admin_client_(client_for):
    return client_for("admin")
