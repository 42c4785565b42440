import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def english():
    """Messages are asserted in English, whatever language an earlier request left active."""
    with translation.override("en"):
        yield
