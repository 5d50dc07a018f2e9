"""Committing a plan import: phase two creates the rows through the plan's actions, all or nothing.

If an action still refuses a row (another user created the same measure meanwhile), everything is
rolled back (:func:`korpu.core.sheets.commit_rows`) and :class:`ImportRefused` names the row.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from korpu.core import access, audit
from korpu.core.access import Actor
from korpu.core.sheets import Committed, PlannedRow, RowIssue, commit_rows
from korpu.plan import actions
from korpu.plan.models import Measure, Recommendation
from korpu.plan.sheets.reading import ImportRefused, PlanImport


def _apply(result: PlanImport, by: Actor, kind: str, create: Callable[[PlannedRow], Any]) -> list[Any]:
    if result.kind != kind:
        raise ValueError(f"expected a {kind} import, got {result.kind}")
    if not access.can_manage_plan(by):
        audit.denied(f"plan.import_{kind}", obj=result.plan, actor=by)
        raise PermissionDenied(_("Only the National Coordinator's office may do this."))
    if not result.ok:
        raise ImportRefused(result.errors)
    if not result.rows:
        raise ImportRefused([RowIssue(0, "", _("The file has no data rows (data starts in row 3)."))])

    def finish(done: Committed[PlannedRow]) -> None:
        audit.record(f"plan.import_{kind}", obj=result.plan, actor=by, details={"rows": len(done.created)})

    done = commit_rows(result.rows, create, finish=finish, database_error=_(
        "The database refused this row (another user may have changed the plan meanwhile). Nothing was "
        "saved."))
    if not done.ok:
        raise ImportRefused(done.errors)
    return done.created


def apply_measures(result: PlanImport, by: Actor, *, publish: bool = False) -> list[Measure]:
    """Create every measure of a checked file through :func:`actions.measure_create`; all or nothing.
    The measures are public only with ``publish``."""

    def create(row: PlannedRow) -> Measure:
        v = row.values
        return actions.measure_create(
            by=by, section=v["section"], number=v["number"], text_az=v["text_az"], text_ru=v["text_ru"],
            text_en=v["text_en"], expected_result_az=v["expected_result_az"],
            expected_result_ru=v["expected_result_ru"], expected_result_en=v["expected_result_en"],
            start_year=v["start_year"], end_year=v["end_year"], deadline=v["deadline"],
            executing_bodies=v["executing_bodies"], partners=v["partners"], categories=v["categories"],
            is_published=publish)

    return _apply(result, by, "measures", create)


def apply_recommendations(result: PlanImport, by: Actor, *, publish: bool = False) -> list[Recommendation]:
    """Create every recommendation through :func:`actions.recommendation_save`; all or nothing.
    The recommendations are public only with ``publish``."""
    made: dict[tuple[str, str, str], Recommendation] = {}

    def create(row: PlannedRow) -> Recommendation:
        v = row.values
        previous = v["previous"] if v["previous_key"] is None else made[v["previous_key"]]
        recommendation = actions.recommendation_save(
            by=by, measures=v["measures"], source=v["source"], cycle=v["cycle"], reference=v["reference"],
            text_az=v["text_az"], text_ru=v["text_ru"], text_en=v["text_en"], priority=v["priority"],
            theme=v["theme"], previous=previous, response_az=v["response_az"], response_ru=v["response_ru"],
            response_en=v["response_en"], is_published=publish)
        made[v["key"]] = recommendation
        return recommendation

    return _apply(result, by, "recommendations", create)


