"""What the case actions share: refusing, the acting organisation, the section check, code
validation and the e-mails (one per recipient, in their language, never raising)."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.utils import translation
from django.utils.translation import gettext as _

from korpu.accounts.models import Organisation, User
from korpu.cases import choices, queries
from korpu.cases.models import Case
from korpu.core import access, audit
from korpu.core.access import Actor

logger = logging.getLogger(__package__)  # korpu.cases.actions, as before the split


def _deny(action: str, by: Actor, obj: Any = None, message: str = "") -> None:
    audit.denied(action, obj=obj, actor=by)
    raise ValidationError(message or _("You are not allowed to do this."))


def _acting_organisation(by: Actor, case: Case | None = None, *, roles: Iterable[str] = access.VICTIM_DATA_ROLES,
                         action: str) -> Organisation:
    """The organisation the user acts for: one where they hold a fitting role (and, for a case, access)."""
    roles = set(roles)
    candidates: list[Organisation] = [m.organisation for m in access.memberships(by) if m.role in roles] \
        if access.is_staff_user(by) else []
    if case is not None:
        allowed = set(queries.live_access({o.pk for o in candidates}).filter(case=case)
                      .values_list("organisation_id", flat=True))
        candidates = [o for o in candidates if o.pk in allowed]
    if not candidates:
        _deny(action, by, case)
    return candidates[0]


def _require_section(by: Actor, case: Case, section: str, action: str) -> None:
    if section not in queries.sections_for(by, case):
        _deny(action, by, case)


def _validate_countries(values: Iterable[str], label: str) -> list[str]:
    known = choices.countries()
    cleaned = [v.strip().upper() for v in values if v and v.strip()]
    bad = [v for v in cleaned if v not in known]
    if bad:
        raise ValidationError(_("%(field)s: unknown country code %(codes)s.")
                              % {"field": label, "codes": ", ".join(bad)})
    return cleaned


def _validate_choices(values: Iterable[str], allowed: Any, label: str) -> list[str]:
    valid = set(allowed.values)
    cleaned = [v for v in values if v]
    bad = [v for v in cleaned if v not in valid]
    if bad:
        raise ValidationError(_("%(field)s: unknown value %(values)s.") % {"field": label, "values": ", ".join(bad)})
    return list(dict.fromkeys(cleaned))


def _owner_acting(by: Actor, case: Case, action: str, message: str) -> Organisation:
    organisation = _acting_organisation(by, case, action=action)
    if organisation.pk != case.owner_organisation_id:
        owned = [o for o in (m.organisation for m in access.memberships(by) if m.role in access.VICTIM_DATA_ROLES)
                 if o.pk == case.owner_organisation_id]
        if not owned:
            _deny(action, by, case, message)
        organisation = owned[0]
    return organisation


# --- e-mail ------------------------------------------------------------------------------------
def _victim_data_staff(organisation_ids: Iterable[int]) -> list[User]:
    return list(User.objects.filter(memberships__organisation_id__in=list(organisation_ids),
                                    memberships__is_active=True, memberships__role__in=access.VICTIM_DATA_ROLES,
                                    is_active=True)
                .exclude(email="").distinct().order_by("pk"))


def _mail_each(kind: str, recipients: list[User], render: Any, obj: Any) -> int:
    """Send one message per recipient, in their language; never raise.

    The data is committed when this runs: a failing mail server must not turn the user's saved work
    into an error page. A failure is logged and recorded as one ``mail.failed`` audit event with the
    kind of message and the counts (no address, no name). Returns the number of messages sent.
    """
    sent = failed = 0
    for user in recipients:
        with translation.override(user.language or settings.LANGUAGE_CODE):
            subject, body = render()
        try:
            send_mail(subject, body, None, [user.email])
        except Exception:
            failed += 1
            logger.exception("e-mail %s to user %s could not be sent", kind, user.pk)
        else:
            sent += 1
    if failed:
        audit.record("mail.failed", obj=obj, details={"kind": kind, "failed": failed, "recipients": len(recipients)})
    return sent
