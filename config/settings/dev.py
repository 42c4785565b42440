"""Local development: DEBUG on, a throwaway secret, SQLite in the project folder."""

import os

os.environ.setdefault("SECRET_KEY", "dev-insecure-secret-key-change-me")
os.environ.setdefault("DEBUG", "1")

from .base import *  # noqa: F403  (settings modules layer by star import)

ALLOWED_HOSTS = ["*"]
