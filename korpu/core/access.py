"""Who may do what: the one place permission rules live (see docs/security.md).

Views, API operations and queries ask these helpers; none of them compares role strings itself.
Object-level scoping ("which cases may this user see") lives in each app's ``queries.py`` and is
built from the predicates below.
"""

from __future__ import annotations

from typing import Any, Protocol

from django.http import Http404

from korpu.core.roles import OrganisationType, Role

# Roles whose work needs victims' personal data; everyone else sees aggregates at most.
VICTIM_DATA_ROLES = frozenset({Role.POLICE_INVESTIGATOR, Role.NGO_CASE_WORKER, Role.SHELTER_MANAGER})
# Roles that record the official victim-status decision.
STATUS_DECISION_ROLES = frozenset({Role.POLICE_INVESTIGATOR})
ACCOUNT_ADMIN_ROLES = frozenset({Role.SYSTEM_ADMINISTRATOR})
AUDIT_ROLES = frozenset({Role.AUDITOR})
STATISTICS_ROLES = frozenset({Role.COORDINATOR_ANALYST, Role.POLICE_INVESTIGATOR})
# The National Coordinator's office runs the action plan: it reviews reports and assesses recommendations.
PLAN_MANAGER_ROLES = frozenset({Role.COORDINATOR_ANALYST})
PLAN_REPORTER_ROLES = frozenset({Role.PLAN_FOCAL_POINT})


def is_staff_user(user: Any) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False) and user.is_active)


def is_verified(user: Any) -> bool:
    """True once the session passed two-factor (django-otp's OTPMiddleware sets ``is_verified``)."""
    check = getattr(user, "is_verified", None)
    return bool(is_staff_user(user) and check is not None and check())


def roles_of(user: Any) -> set[str]:
    if not is_staff_user(user):
        return set()
    return set(user.roles())


def has_role(user: Any, *roles: str) -> bool:
    return bool(roles_of(user) & set(roles))


def requires_two_factor(user: Any) -> bool:
    """Every account must pass TOTP before it reaches any page past login.

    The issue asks for two-factor on every role that can see victim data; we require it of every
    account (administrators and auditors included), because an administrator can grant roles and an
    auditor can read who looked at which case. See ADR 0006.
    """
    return is_staff_user(user)


def can_see_victim_data(user: Any) -> bool:
    return has_role(user, *VICTIM_DATA_ROLES)


def can_decide_status(user: Any) -> bool:
    return has_role(user, *STATUS_DECISION_ROLES)


def can_manage_accounts(user: Any) -> bool:
    return has_role(user, *ACCOUNT_ADMIN_ROLES) or bool(getattr(user, "is_superuser", False))


def can_view_audit(user: Any) -> bool:
    return has_role(user, *AUDIT_ROLES)


def can_view_statistics(user: Any) -> bool:
    return has_role(user, *STATISTICS_ROLES)


def can_manage_plan(user: Any) -> bool:
    return has_role(user, *PLAN_MANAGER_ROLES)


def can_report_on_plan(user: Any) -> bool:
    return has_role(user, *PLAN_REPORTER_ROLES)


def can_manage_engagement(user: Any) -> bool:
    """Coalition coordinators run meetings, proposals and campaigns."""
    return has_role(user, Role.COALITION_COORDINATOR)


def can_answer_proposal(user: Any, addressed_to_id: int) -> bool:
    """A coalition proposal is answered by the body it is addressed to; the coordinator may record the answer."""
    return can_manage_engagement(user) or member_of(user, addressed_to_id)


def member_of(user: Any, organisation_id: int) -> bool:
    return is_staff_user(user) and any(o.pk == organisation_id for o in user.organisations())


def organisation_ids(user: Any) -> set[int]:
    return {o.pk for o in user.organisations()} if is_staff_user(user) else set()


def require(allowed: bool, *, action: str, user: Any, object_type: str = "", object_id: str = "") -> None:
    """Refuse with a 404 (forbidden and missing look the same) and leave a 'denied' audit event."""
    if allowed:
        return
    from korpu.core import audit

    audit.denied(action, object_type=object_type, object_id=str(object_id), actor=user)
    raise Http404


class SystemActor:
    """The actor for trusted non-interactive callers: the CLI, scheduled jobs, demo seeding.

    Never reachable from a request: views pass ``request.user``. Recorded in the audit log as
    ``system``.
    """

    pk = None
    is_authenticated = True
    is_active = True
    is_superuser = True
    language = ""

    def get_username(self) -> str:
        return "system"

    def primary_organisation(self) -> None:
        return None

    def organisations(self) -> list[Any]:
        return []

    def roles(self) -> set[str]:
        return set()

    def __str__(self) -> str:
        return "system"


SYSTEM = SystemActor()


class Actor(Protocol):
    """Who performs an action (every action's ``by``): a logged-in user, or :data:`SYSTEM`.

    A structural type, so the kernel names it without importing ``korpu.accounts``: its ``User``
    and :class:`SystemActor` both satisfy it. Rules that need more than this (memberships) ask the
    predicates above, which treat ``SYSTEM`` explicitly.
    """

    @property
    def pk(self) -> Any: ...

    @property
    def is_authenticated(self) -> bool: ...

    @property
    def is_active(self) -> bool: ...

    @property
    def is_superuser(self) -> bool: ...

    def get_username(self) -> str: ...


# --- shelters and criminal proceedings (ADR 0017, ADR 0018) ------------------------------------------
def memberships(actor: Any) -> list[Any]:
    """The actor's active memberships (with their organisations); none for ``SYSTEM`` or anonymous."""
    if not is_staff_user(actor) or not hasattr(actor, "active_memberships"):
        return []
    return list(actor.active_memberships())


def facility_operator_ids(user: Any) -> set[int]:
    """The organisations whose facilities the user runs: those where they are a shelter manager."""
    if not is_staff_user(user) or not hasattr(user, "active_memberships"):
        return set()
    return {m.organisation_id for m in user.active_memberships() if m.role == Role.SHELTER_MANAGER}


def can_run_facilities_of(user: Any, organisation_id: int) -> bool:
    """Create, change, close and admit to the facilities an organisation operates.

    Only the organisation's shelter managers, and the trusted ``SYSTEM`` actor (CLI, demo seeding).
    Not a system administrator: a facility's address is as confidential as the people it shelters.
    """
    return user is SYSTEM or organisation_id in facility_operator_ids(user)


def law_enforcement_ids(user: Any) -> set[int]:
    """The law-enforcement bodies in which the user is a police investigator: the bodies whose
    criminal proceedings they see and record in full."""
    if not is_staff_user(user) or not hasattr(user, "active_memberships"):
        return set()
    return {m.organisation_id for m in user.active_memberships()
            if m.role == Role.POLICE_INVESTIGATOR and m.organisation.org_type == OrganisationType.LAW_ENFORCEMENT}


def can_record_proceedings(user: Any) -> bool:
    """Open and follow investigations, prosecutions and court outcomes (a law-enforcement investigator)."""
    return bool(law_enforcement_ids(user))
