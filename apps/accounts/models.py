import unicodedata

from django.contrib.auth.models import AbstractUser
from django.utils.translation import gettext_lazy as _


def _is_cjk(text: str) -> bool:
    return any(unicodedata.east_asian_width(char) in "WF" for char in text)


class User(AbstractUser):
    """A person who signs in. Roles are groups (see ``apps.accounts.roles``)."""

    class Meta(AbstractUser.Meta):
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        full_name = self.get_full_name()
        return full_name or self.username

    def get_full_name(self) -> str:
        """The name as its owner writes it: 王仓管 (family name first, no space) for a Chinese name,
        "Ada Lovelace" for a Western one, whatever the interface language."""
        first, last = self.first_name.strip(), self.last_name.strip()
        if _is_cjk(first + last):
            return f"{last}{first}"
        return f"{first} {last}".strip()
