import pytest
from django.urls import reverse

from apps.notifications.models import Notification, NotificationKind
from apps.notifications.services import notification_raise

pytestmark = pytest.mark.django_db


def _tell(user, key="overdue:1", url="/sales/customers/1/"):
    return notification_raise(
        kind=NotificationKind.OVERDUE_RECEIVABLE,
        key=key,
        recipients=[user],
        params={"customer": "K1 First", "amount": "¥10.00", "due": "2026-11-01"},
        url=url,
    )[0]


def test_the_bell_shows_the_unread_count_and_the_latest(client_for):
    client = client_for("sales")
    _tell(client.user)
    _tell(client.user, key="overdue:2")

    response = client.get(reverse("notifications:bell"))

    assert response.context["count"] == 2
    assert "K1 First has ¥10.00 overdue (oldest due 2026-11-01)" in response.content.decode()


def test_opening_marks_read_and_goes_to_the_thing_to_act_on(client_for):
    client = client_for("sales")
    notification = _tell(client.user)

    response = client.post(reverse("notifications:notification_open", args=[notification.pk]))

    assert response.url == "/sales/customers/1/"
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_nobody_opens_another_persons_notification(client_for, make_user):
    notification = _tell(make_user("sales"))

    response = client_for("sales").post(reverse("notifications:notification_open", args=[notification.pk]))

    assert response.status_code == 404
    notification.refresh_from_db()
    assert notification.read_at is None


def test_an_outside_link_is_not_followed(client_for):
    client = client_for("sales")
    notification = _tell(client.user, url="https://evil.example.com/")

    response = client.post(reverse("notifications:notification_open", args=[notification.pk]))

    assert response.url == reverse("notifications:notification_list")


def test_mark_all_read_and_the_list_filters(client_for, make_user):
    client = client_for("buyer")
    _tell(client.user)
    _tell(make_user("buyer"))

    client.post(reverse("notifications:notification_read_all"))
    unread = client.get(reverse("notifications:notification_list"), {"show": "unread"})
    still_open = client.get(reverse("notifications:notification_list"))

    assert list(unread.context["notifications"]) == []
    assert len(still_open.context["notifications"]) == 1
    assert Notification.objects.filter(read_at__isnull=True).count() == 1  # the other buyer's


def test_preferences_are_saved(client_for):
    client = client_for("warehouse")

    client.post(reverse("notifications:preferences"), {"daily_digest": "on"})

    preference = client.user.notification_preference
    assert (preference.email_each, preference.daily_digest) == (False, True)


@pytest.mark.parametrize("count", [1, 4])
def test_the_list_costs_the_same_queries_for_n_and_n_plus_3(count, client_for, django_assert_num_queries):
    client = client_for("manager")
    for index in range(count):
        _tell(client.user, key=f"overdue:{index}")
    client.get(reverse("notifications:notification_list"))

    with django_assert_num_queries(6):  # session, user, groups and permissions (menu), count, page
        client.get(reverse("notifications:notification_list"))
