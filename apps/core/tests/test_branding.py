from django.urls import reverse


def test_the_admin_is_branded_as_the_product(admin_client):
    response = admin_client.get(reverse("admin:index"))

    content = response.content.decode()
    assert response.status_code == 200
    assert "JXC administration" in content
    assert "Django administration" not in content
    assert "img/favicon.svg" in content


def test_every_page_has_a_favicon(client):
    response = client.get(reverse("accounts:login"))

    assert 'rel="icon" href="/static/img/favicon.svg"' in response.content.decode()
