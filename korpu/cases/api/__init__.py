"""API for cases, consent, decisions, referrals, services, follow-ups, support plans, attachments, grants
and my tasks. Same actions and scoping queries as the HTML pages; a refused action is a 422 with the
reason, an invisible object a 404.

As on the case page, a case's detail carries no name or contact: ``GET /cases/{id}/identity`` returns
them, as a read of its own (``person.reveal``).

One router (``_common.router``, tag ``cases``) that the modules fill, imported here in the order the
operations are matched: ``cases`` (registration, the detail, corrections, identity, photo, status,
consent, closing, trafficking events), ``referrals`` (referrals and grants), ``support`` (services,
follow-ups, assessments, support plans, notes, attachments, my tasks); ``schemas`` holds the schemas
and what fills them. Each operation names its ``operation_id`` (``korpu_cases_api_<function>``, what
django-ninja derived from the single module), so the OpenAPI description does not depend on the
module an operation lives in."""

from korpu.cases.api import cases, referrals, support
from korpu.cases.api._common import router

__all__ = ["cases", "referrals", "router", "support"]
