"""Recommendations to the country, their assessments and their publication."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from korpu.accounts.models import user_of
from korpu.core import audit
from korpu.core.access import Actor
from korpu.plan.actions._common import _changed, _require_manager, _strip
from korpu.plan.models import Assessment, Measure, Recommendation

# --- recommendations ---------------------------------------------------------------------------
RECOMMENDATION_FIELDS = ("source", "cycle", "reference", "text_az", "text_ru", "text_en", "priority", "theme",
                         "previous", "response_az", "response_ru", "response_en", "is_published")


def recommendation_save(*, by: Actor, recommendation: Recommendation | None = None, measures: Iterable[Measure] = (),
                        **fields: Any) -> Recommendation:
    """Create or change a recommendation. ``previous`` (the same one in an earlier cycle) may not make a
    loop: not itself, nor a recommendation that already repeats it."""
    _require_manager(by, "recommendation.save", recommendation)
    unknown = set(fields) - set(RECOMMENDATION_FIELDS)
    if unknown:
        raise TypeError(f"unknown recommendation fields: {sorted(unknown)}")
    fields = _strip(fields)
    with transaction.atomic():
        created = recommendation is None
        recommendation = (Recommendation() if recommendation is None
                          else Recommendation.objects.select_for_update().get(pk=recommendation.pk))
        changed = _changed(recommendation, fields) if not created else sorted(fields)
        for name, value in fields.items():
            setattr(recommendation, name, value)
        if recommendation.pk is not None and recommendation.previous_id is not None:
            earlier, seen = recommendation.previous, set()
            while earlier is not None and earlier.pk not in seen:
                if earlier.pk == recommendation.pk:
                    raise ValidationError(_("A recommendation cannot repeat itself or a later one."))
                seen.add(earlier.pk)
                earlier = earlier.previous
        recommendation.full_clean()
        recommendation.save()
        measure_list = list(measures)
        recommendation.measures.set(measure_list)
        audit.record("recommendation.save", obj=recommendation, actor=by,
                     details={"created": created, "fields": changed, "measures": len(measure_list)})
    return recommendation


def assessment_record(*, by: Actor, recommendation: Recommendation, level: str, comment: str = "") -> Assessment:
    _require_manager(by, "recommendation.assess", recommendation)
    if level not in Assessment.Level.values:
        raise ValidationError(_("Choose an assessment."))
    with transaction.atomic():
        assessment = Assessment.objects.create(recommendation=recommendation, level=level, comment=comment.strip(),
                                               by=user_of(by))
        audit.record("recommendation.assess", obj=recommendation, actor=by, details={"level": level})
    return assessment


def recommendation_set_published(*, by: Actor, recommendation: Recommendation, published: bool) -> Recommendation:
    _require_manager(by, "recommendation.publish", recommendation)
    with transaction.atomic():
        recommendation.is_published = published
        recommendation.save(update_fields=["is_published"])
        audit.record("recommendation.publish" if published else "recommendation.unpublish", obj=recommendation,
                     actor=by)
    return recommendation
