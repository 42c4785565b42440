"""Job kinds: a name, a label for people, and the function that does the work.

Register a handler once, at import time of a module the app loads (its ``jobs.py``, imported
from ``AppConfig.ready`` or from the module that starts the job)::

    from apps.jobs.registry import job_handler

    @job_handler("planning.forecast", label=_("Demand forecast"))
    def forecast(job: JobContext, *, horizon: int) -> dict:
        products = list(...)
        for product in job.track(products, message=_("Forecasting")):
            ...
        return {"products": len(products)}  # shown on the job page, JSON only

A handler must be safe to run twice (it may be retried after a lost worker): write in one
transaction at the end, or key its writes so that a second run changes nothing.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise


@dataclass(frozen=True)
class JobKind:
    name: str
    label: Promise | str
    handler: Callable[..., Any]
    max_attempts: int = 3


_KINDS: dict[str, JobKind] = {}


def job_handler(name: str, *, label: Promise | str, max_attempts: int = 3) -> Callable:
    """Register the decorated function as the handler of job kind ``name``."""

    def decorator(func: Callable[..., Any]) -> Callable[..., Any]:
        _KINDS[name] = JobKind(name=name, label=label, handler=func, max_attempts=max_attempts)
        return func

    return decorator


def job_kind(name: str) -> JobKind:
    """The registered kind ``name``; ``KeyError`` when no module registered it."""
    return _KINDS[name]
