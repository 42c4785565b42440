"""Settings for ``make messages`` only: without LOCALE_PATHS, makemessages run inside an app
folder writes to that app's own ``locale/``, so each app owns its catalog."""

from .test import *  # noqa: F403  (settings modules layer by star import)

LOCALE_PATHS: list = []
