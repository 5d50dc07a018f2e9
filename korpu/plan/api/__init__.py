"""API for the National Action Plan: plans, sections, reporting periods, categories, measures, indicators
with their targets, progress reports with their review, evidence, recommendations with their history and
assessments, and the exports. Same scoping queries and actions as the pages (``views``, ``views_manage``,
``views_io``): an invisible object is a 404 (with a ``denied`` audit event), a refused action a 422 with the
reason in the caller's language.

Who may do what is the pages' rule: every staff user reads the plan; the coordinator's office
(``access.can_manage_plan``) shapes it (anyone else gets the 404 the coordinator's pages give); a plan
focal point writes and submits the reports of their body; only the office returns or accepts them.
Updates replace every field of the object, as the page's form does.

One router (``base.router``), its operations declared by topic: ``plans`` (plans, sections, periods,
categories, measures, indicators), ``reports`` (progress reports, evidence, the review queue, the
reporting rate), ``exports`` (exports, templates, the import) and ``recommendations``."""

from korpu.plan.api import exports, plans, recommendations, reports
from korpu.plan.api.base import router

# Importing the modules declares their operations on the router, in this order in the OpenAPI document.
__all__ = ["exports", "plans", "recommendations", "reports", "router"]
