"""A document's status pipeline as data: the ``Transition`` table, its checks and its buttons.

Every document declares one :class:`Pipeline`: ``{action: Transition}``. The same table

* refuses, in the service, a wrong status (``ValidationError`` with code :data:`WRONG_STATE`),
  a missing permission (``PermissionDenied``) and an action on one's own document where the row
  says ``not_own`` (code ``own_document``) — :meth:`Pipeline.check`;
* lists, on the page, the buttons a user may press — :meth:`Pipeline.actions`, rendered by
  ``templates/documents/_actions.html``; a button the service would refuse is not shown.

A pipeline may add a ``rule``: a function ``(document, action, transition) -> Transition | None``
that adjusts a row for one document (another permission, ``not_own``) or withholds it (``None``),
e.g. "a stock adjustment above the threshold is approved, not posted".
"""

import dataclasses
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from apps.core.models import AuditAction

WRONG_STATE = "wrong_state"  # the one error code for "not from this status"
OWN_DOCUMENT = "own_document"


@dataclass(frozen=True)
class Transition:
    """One row of the table: ``action`` moves a document from ``sources`` to ``target``.

    ``past`` completes "CGRK… is Posted; it cannot be <past>."; ``style`` is the Bootstrap button
    colour; ``not_own``: the document's creator (and the pipeline's other ``owner_fields``) may not
    do it; ``needs_reason``: the button asks for a reason and the service refuses a blank one;
    ``confirm``: the button asks "are you sure?" with this text. ``target`` ``None``: the action
    keeps the status (reserve backorders). ``url_action`` / ``post_data``: a second button for the
    same URL with extra form data (approve with backorders).
    """

    sources: frozenset[str]
    target: str | None
    permission: str
    label: Promise
    past: Promise
    audit_action: str = AuditAction.CHANGED
    style: str = "outline-secondary"
    not_own: bool = False
    needs_reason: bool = False
    confirm: Promise | None = None
    url_action: str = ""
    post_data: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Action:
    """A button of the detail page: the action, its row and the URL it posts to."""

    name: str
    transition: Transition
    url: str

    # The template reads these directly.
    @property
    def label(self) -> Promise:
        return self.transition.label

    @property
    def style(self) -> str:
        return self.transition.style

    @property
    def needs_reason(self) -> bool:
        return self.transition.needs_reason

    @property
    def confirm(self) -> Promise | None:
        return self.transition.confirm

    @property
    def post_data(self) -> tuple[tuple[str, str], ...]:
        return self.transition.post_data


Rule = Callable[[Any, str, Transition], Transition | None]


class Pipeline:
    """The transitions of one document type. ``url_name`` formats with the action, e.g.
    ``"procurement:goodsreceipt_{action}"``; ``owner_fields`` name who "own" a document."""

    def __init__(
        self,
        transitions: dict[str, Transition],
        *,
        url_name: str,
        owner_fields: tuple[str, ...] = ("created_by_id",),
        rule: Rule | None = None,
    ) -> None:
        self.transitions = transitions
        self.url_name = url_name
        self.owner_fields = owner_fields
        self.rule = rule

    def __getitem__(self, action: str) -> Transition:
        return self.transitions[action]

    def __iter__(self) -> Iterator[str]:
        return iter(self.transitions)

    def targets_from(self, status: str) -> frozenset[str]:
        return frozenset(t.target for t in self.transitions.values() if status in t.sources and t.target is not None)

    def for_document(self, document: Any, action: str) -> Transition | None:
        """The row of ``action`` as it applies to ``document`` (after the pipeline's rule)."""
        transition = self.transitions.get(action)
        if transition is not None and self.rule is not None:
            transition = self.rule(document, action, transition)
        return transition

    def is_own(self, document: Any, user: Any) -> bool:
        return user is not None and user.pk is not None and user.pk in {getattr(document, f) for f in self.owner_fields}

    def allows(self, document: Any, action: str, user: Any) -> bool:
        """Whether ``user`` may do ``action`` now (the same test as :meth:`check`, without raising)."""
        transition = self.for_document(document, action)
        return (
            transition is not None
            and document.status in transition.sources
            and user.has_perm(transition.permission)
            and not (transition.not_own and self.is_own(document, user))
        )

    def actions(self, document: Any, user: Any) -> list[Action]:
        """The buttons ``user`` sees on ``document``, in table order."""
        return [
            Action(name, transition, self.url(document, transition.url_action or name))
            for name in self.transitions
            if self.allows(document, name, user) and (transition := self.for_document(document, name))
        ]

    def url(self, document: Any, action: str) -> str:
        return reverse(self.url_name.format(action=action), args=[document.pk])

    def check(self, document: Any, action: str, actor: Any, *, reason: str = "") -> Transition:
        """Refuse ``action`` unless the table allows it for ``actor`` on the (locked) ``document``."""
        transition = self.for_document(document, action)
        if transition is None:
            base = self.transitions.get(action)
            if base is None:
                raise ValidationError(_("Unknown action."), code="unknown_action")
            raise wrong_state(document, base.past)
        if actor is None or not actor.has_perm(transition.permission):
            raise PermissionDenied(_("You do not have permission to do this."))
        if document.status not in transition.sources:
            raise wrong_state(document, transition.past)
        if transition.not_own and self.is_own(document, actor):
            raise ValidationError(
                _("%(number)s is your own document; someone else must %(action)s it.")
                % {"number": document.number, "action": transition.label.lower()},
                code=OWN_DOCUMENT,
            )
        if transition.needs_reason and not reason.strip():
            raise ValidationError({"reason": _("Give a reason.")}, code="reason_required")
        return transition


def wrong_state(document: Any, past: Promise | str) -> ValidationError:
    """ "CGRK20261124-0001 is Posted; it cannot be voided." — the one wrong-status refusal."""
    if document.status == "posted":
        message = _("%(number)s was already posted; it cannot be %(action)s again.") % {
            "number": document.number,
            "action": past,
        }
    else:
        message = _("%(number)s is %(status)s; it cannot be %(action)s.") % {
            "number": document.number,
            "status": document.get_status_display(),
            "action": past,
        }
    return ValidationError(message, code=WRONG_STATE)


def lock(document: models.Model, *select_related: str) -> Any:
    """The document's row again, locked for the rest of the transaction (``SELECT … FOR UPDATE``)."""
    queryset = type(document).objects.select_for_update(of=("self",))
    if select_related:
        queryset = queryset.select_related(*select_related)
    return queryset.get(pk=document.pk)


def document_transition(
    *,
    pipeline: Pipeline,
    document: Any,
    action: str,
    actor: Any,
    reason: str = "",
    select_related: tuple[str, ...] = (),
    stamp: Callable[[Any], list[str]] | None = None,
) -> Any:
    """Move ``document`` along ``pipeline[action]`` under a row lock and record who and when.

    For the transitions that post nothing (void, withdraw, reject…). ``stamp`` sets further
    fields on the locked document and returns their names. Call inside the service's unit of
    work (``atomic_with_retry``). Returns the locked, updated document.
    """
    from apps.core.services import audit_record

    locked = lock(document, *select_related)
    transition = pipeline.check(locked, action, actor, reason=reason)
    before = locked.status
    locked.status = transition.target
    update_fields = ["status", *(stamp(locked) if stamp else [])]
    if any(field.name == "updated_at" for field in locked._meta.concrete_fields):
        update_fields.append("updated_at")
    locked.save(update_fields=update_fields)
    changes: dict[str, Any] = {"status": [before, transition.target]}
    if reason:
        changes["reason"] = [None, reason]
    audit_record(actor=actor, action=transition.audit_action, instance=locked, changes=changes)
    return locked


def replace(transition: Transition, **changes: Any) -> Transition:
    """``transition`` with some fields changed (for a pipeline's rule)."""
    return dataclasses.replace(transition, **changes)


def posting_pipeline(*, post_permission: str, cancel_permission: str, url_name: str) -> Pipeline:
    """``draft ─post→ posted``, ``draft ─cancel→ cancelled``: the pipeline of receipts, deliveries and returns."""
    return Pipeline(
        {
            "post": Transition(
                frozenset({"draft"}), "posted", post_permission, gettext_lazy("Post"),
                pgettext_lazy("action", "posted"), AuditAction.POSTED, "success",
            ),
            "cancel": Transition(
                frozenset({"draft"}), "cancelled", cancel_permission, gettext_lazy("Void"),
                pgettext_lazy("action", "voided"), AuditAction.CANCELLED, "outline-danger",
                confirm=gettext_lazy("Void this document?"),
            ),
        },
        url_name=url_name,
    )  # fmt: skip
