"""Criminal proceedings: full records for law enforcement, aggregate figures for analysts.

The figures (ADR 0018) are exact for a law-enforcement investigator, whose body holds the records
anyway. Anyone else allowed to see them (the National Coordinator's analysts) gets them per calendar
year only, with every count passed through disclosure control (``korpu.core.disclosure``): a count
from 1 to threshold − 1 shows as ``"<5"``, and where such a cell could be recomputed from a published
total (articles → investigations, sentence bands → persons convicted) a second cell shows as ``"x"``.
Per year only, because an all-years total minus the published years would give a hidden year back.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Count, Prefetch, Q, QuerySet, Sum
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from korpu.cases.models import Case
from korpu.core import access, audit, disclosure
from korpu.justice.models import Article, CourtOutcome, Investigation, Prosecution


def investigations_visible_to(user: Any) -> QuerySet[Investigation]:
    org_ids = access.law_enforcement_ids(user)
    if not org_ids:
        return Investigation.objects.none()
    return (Investigation.objects.filter(investigating_body_id__in=org_ids)
            .select_related("investigating_body").annotate(victim_count=Count("victims", distinct=True))
            .order_by("-opened_on", "-id"))


def with_proceedings(investigations: QuerySet[Investigation]) -> QuerySet[Investigation]:
    """Victims, prosecutions and their outcomes in three more queries, whatever the number of rows."""
    return investigations.prefetch_related(
        Prefetch("victims", queryset=Case.objects.only("pk", "number").order_by("number")),
        Prefetch("prosecutions", queryset=Prosecution.objects.prefetch_related("outcomes")))


def investigation_for(user: Any, investigation_id: int, *, purpose: str = "investigation.view") -> Investigation:
    found = with_proceedings(investigations_visible_to(user).filter(pk=investigation_id)).first()
    if found is None:
        audit.denied(purpose, object_type="justice.Investigation", object_id=str(investigation_id), actor=user)
        raise Http404
    audit.record(purpose, obj=found, actor=user)
    return found


def prosecution_of(user: Any, investigation: Investigation, prosecution_id: Any, *,
                   purpose: str = "court_outcome.create") -> Prosecution:
    """A prosecution of this (already visible) investigation; else 404, audited as denied."""
    pk = int(prosecution_id) if str(prosecution_id).isdigit() else 0
    prosecution = Prosecution.objects.filter(investigation=investigation, pk=pk).select_related("investigation") \
        .first()
    if prosecution is None:
        audit.denied(purpose, object_type="justice.Prosecution", object_id=str(prosecution_id), actor=user)
        raise Http404
    return prosecution


# --- aggregate figures -----------------------------------------------------------------------------
ARTICLE_KEYS = {Article.TRAFFICKING: "investigations_144_1", Article.FORCED_LABOUR: "investigations_144_2",
                Article.OTHER: "investigations_other"}

# Persons convicted, by the length of the sentence recorded with the conviction (months).
SENTENCE_BANDS: list[tuple[str, Any, Q]] = [
    ("no_prison_term", _("No prison term"), Q(sentence_months=0)),
    ("under_1_year", _("Under 1 year"), Q(sentence_months__gte=1, sentence_months__lt=12)),
    ("1_to_5_years", _("1 to under 5 years"), Q(sentence_months__gte=12, sentence_months__lt=60)),
    ("5_to_10_years", _("5 to under 10 years"), Q(sentence_months__gte=60, sentence_months__lt=120)),
    ("10_years_or_more", _("10 years or more"), Q(sentence_months__gte=120)),
    ("not_recorded", _("Term not recorded"), Q(sentence_months__isnull=True)),
]


@dataclass(frozen=True)
class Figures:
    """The counts as the user may see them: exact (law enforcement) or disclosure-controlled."""

    year: int | None
    exact: bool
    threshold: int | None
    counts: dict[str, int | str]
    sentences: list[dict[str, Any]]


MIN_YEAR, MAX_YEAR = 1990, 2100


def can_see_figures(user: Any) -> bool:
    return access.can_record_proceedings(user) or access.can_view_statistics(user)


def _raw_counts(year: int | None) -> tuple[dict[str, int], dict[str, int]]:
    investigations = Investigation.objects.all()
    prosecutions = Prosecution.objects.all()
    outcomes = CourtOutcome.objects.all()
    if year:
        investigations = investigations.filter(opened_on__year=year)
        prosecutions = prosecutions.filter(filed_on__year=year)
        outcomes = outcomes.filter(decided_on__year=year)
    per_article = {key: Count("pk", filter=Q(article=value)) for value, key in ARTICLE_KEYS.items()}
    by_article = investigations.aggregate(investigations=Count("pk"), **per_article)
    filed = prosecutions.aggregate(prosecutions=Count("pk"), defendants_prosecuted=Sum("defendants"))
    conviction = Q(result=CourtOutcome.Result.CONVICTION)
    decided = outcomes.aggregate(
        persons_convicted=Sum("persons", filter=conviction),
        persons_acquitted=Sum("persons", filter=Q(result=CourtOutcome.Result.ACQUITTAL)),
        **{f"band_{key}": Sum("persons", filter=conviction & q) for key, _label, q in SENTENCE_BANDS})
    counts = {**by_article, **filed, **decided}
    counts = {k: int(v or 0) for k, v in counts.items()}
    bands = {key: counts.pop(f"band_{key}") for key, _label, _q in SENTENCE_BANDS}
    return counts, bands


def figures_for(user: Any, *, year: int | None = None) -> Figures:
    """Counts for annual reports (TIP, GRETA): no names, no numbers of criminal cases.

    Exact for law enforcement; for analysts per year (the current one unless given) and suppressed.
    Anyone else: 404, audited as denied.
    """
    access.require(can_see_figures(user), action="justice.figures", user=user)
    if year is not None and not MIN_YEAR <= year <= MAX_YEAR:
        raise ValidationError(_("Choose a year from %(first)d to %(last)d.") % {"first": MIN_YEAR, "last": MAX_YEAR})
    exact = access.can_record_proceedings(user)
    if not exact and not year:
        year = timezone.localdate().year
    counts, bands = _raw_counts(year)
    if exact:
        shown: dict[str, int | str] = dict(counts)
        band_values: dict[str, int | str] = dict(bands)
        threshold = None
    else:
        threshold = disclosure.threshold_value()
        articles = list(ARTICLE_KEYS.values())
        shown = {k: disclosure.suppress(v, threshold=threshold) for k, v in counts.items()}
        shown.update({k: v for k, v in disclosure.suppress_table([counts], articles, threshold=threshold)[0].items()
                      if k in articles})
        band_values = disclosure.suppress_table([bands], list(bands), threshold=threshold)[0]
    sentences = [{"band": key, "label": str(label), "persons": band_values[key]} for key, label, _q in SENTENCE_BANDS]
    audit.record("justice.figures", actor=user, details={"year": year, "exact": exact})
    return Figures(year=year, exact=exact, threshold=threshold, counts=shown, sentences=sentences)
