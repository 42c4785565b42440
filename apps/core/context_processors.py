from django.apps import apps
from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse

from apps.core.navigation import SECTIONS


def navigation(request: HttpRequest) -> dict:
    """Menu sections with the items the current user may open."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_sections": []}
    perms = user.get_all_permissions()
    items_by_section: dict[str, list[dict]] = {key: [] for key, _label in SECTIONS}
    for config in apps.get_app_configs():
        for item in getattr(config, "menu", ()):
            if not (user.is_superuser or item.permission in perms):
                continue
            try:
                url = reverse(item.url_name)
            except NoReverseMatch:
                continue
            items_by_section[item.section].append(
                {"label": item.label, "url": url, "active": request.path.startswith(url)}
            )
    sections = [
        {"key": key, "label": label, "items": items_by_section[key]} for key, label in SECTIONS if items_by_section[key]
    ]
    return {"nav_sections": sections}


def price_visibility(request: HttpRequest) -> dict:
    """``can_see``: which protected prices (purchase price, cost, margin) the user may see."""
    from apps.core.prices import visibility

    return {"can_see": visibility(getattr(request, "user", None))}
