"""One function between the rules and the job queue.

Until the project's job queue (django-tasks, branch ``jobs``) is on main, work runs synchronously
here, in the caller's after-commit callback or the sweep command; switching is this one function.
"""

from collections.abc import Callable
from typing import Any


def enqueue(function: Callable[..., Any], **kwargs: Any) -> None:
    function(**kwargs)
