"""What the case operations share: the router (tag ``cases``), the role check, the scoped case
for a write, the case answer and the organisation named in a payload."""

from typing import Any

from django.http import Http404, HttpRequest
from ninja import Router

from korpu.accounts.models import Organisation
from korpu.cases import queries
from korpu.cases.api.schemas import _detail
from korpu.core import access

router = Router(tags=["cases"])


def _victim_role(request: HttpRequest, action: str) -> None:
    access.require(access.can_see_victim_data(request.user), action=action, user=request.user)


def _organisation(organisation_id: int | None) -> Organisation | None:
    """An active organisation named in a payload, or None when none is named; an unknown id is a 404."""
    if organisation_id is None:
        return None
    found = Organisation.objects.filter(pk=organisation_id, is_active=True).first()
    if found is None:
        raise Http404  # answered as the translated JSON "Not found." by korpu.api
    return found


def _sub(request: HttpRequest, model: Any, case: Any, pk: int, action: str) -> Any:
    return queries.case_part_for(request.user, model, case, pk, action=action)


def _case_answer(request: HttpRequest, case_id: int) -> dict[str, Any]:
    return _detail(request.user, queries.case_for(request.user, case_id))


def _scoped(request: HttpRequest, case_id: int, action: str) -> Any:
    """The case for a write: the role checked, the case loaded through the scoping query (audited)."""
    _victim_role(request, action)
    return queries.case_for(request.user, case_id, purpose="case.update")
