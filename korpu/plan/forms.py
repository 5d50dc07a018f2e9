"""Forms of the action plan's pages. They check the shape of the input; the rules live in the actions.

The model forms below only validate and hand their ``cleaned_data`` to an action (``korpu.plan.actions``);
none of them is saved with ``form.save()``.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from korpu.accounts.models import Organisation
from korpu.core import figures
from korpu.core.i18n import localized
from korpu.plan.models import (
    Assessment,
    Category,
    ImplementationStatus,
    Indicator,
    Measure,
    Plan,
    Recommendation,
    ReportingPeriod,
    Section,
)

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _rows(n: int) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": n})


class ReportForm(forms.Form):
    implementation = forms.ChoiceField(label=_("State of implementation"), choices=[
        c for c in ImplementationStatus.choices if c[0] != ImplementationStatus.LATE])
    text = forms.CharField(label=_("What was done"), widget=forms.Textarea(attrs={"rows": 6}), required=False)

    def __init__(self, *args: Any, measure: Measure, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.indicators = list(measure.indicators.all())
        for indicator in self.indicators:
            name = localized(indicator, "name")
            self.fields[f"indicator_{indicator.pk}"] = forms.DecimalField(
                label=f"{name} ({indicator.unit})" if indicator.unit else name,
                required=False, max_digits=14, decimal_places=2)

    def indicator_values(self) -> dict[int, Any]:
        """Every indicator of the measure: its value, or None when the field was left empty (which
        clears a value saved before)."""
        return {i.pk: self.cleaned_data.get(f"indicator_{i.pk}") for i in self.indicators}


class ReviewForm(forms.Form):
    comment = forms.CharField(label=_("Comment"), widget=forms.Textarea(attrs={"rows": 3}), required=False)


class AssessmentForm(forms.Form):
    level = forms.ChoiceField(label=_("Assessment"), choices=Assessment.Level.choices)
    comment = forms.CharField(label=_("Internal comment"), widget=forms.Textarea(attrs={"rows": 2}), required=False)


class EvidenceForm(forms.Form):
    file = forms.FileField(label=_("File (PDF, JPEG, PNG, WebP, DOCX, XLSX)"))


# --- the coordinator's office: plans, sections, periods, categories -------------------------------
class PlanForm(forms.ModelForm):
    class Meta:
        model = Plan
        fields = ["title_az", "title_ru", "title_en", "description_az", "description_ru", "description_en",
                  "start_year", "end_year", "adopting_act_az", "adopting_act_ru", "adopting_act_en", "adopted_on"]
        widgets = {"description_az": _rows(4), "description_ru": _rows(4), "description_en": _rows(4),
                   "adopted_on": DATE}

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start_year"), data.get("end_year")
        if start is not None and end is not None and end < start:
            self.add_error("end_year", _("The end year %(end)s is before the start year %(start)s.")
                           % {"end": end, "start": start})
        return data


class SectionForm(forms.ModelForm):
    class Meta:
        model = Section
        fields = ["number", "title_az", "title_ru", "title_en", "order"]
        labels = {"order": _("Position in the plan")}


class PeriodForm(forms.ModelForm):
    class Meta:
        model = ReportingPeriod
        fields = ["year", "due_on"]
        widgets = {"due_on": DATE}


class CategoryForm(forms.ModelForm):
    kind = forms.ChoiceField(label=_("kind"), choices=[
        (Category.Kind.OTHER, Category.Kind.OTHER.label), (Category.Kind.SDG, Category.Kind.SDG.label)])

    class Meta:
        model = Category
        fields = ["kind", "code", "name_az", "name_ru", "name_en"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:  # imports refer to the code: it stays; a pillar stays a pillar
            self.fields["code"].disabled = True
            if self.instance.kind == Category.Kind.PILLAR:
                self.fields["kind"].choices = [(Category.Kind.PILLAR, Category.Kind.PILLAR.label)]  # type: ignore[attr-defined]


class CategoryChoices(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        name = localized(obj, "name")
        return name if name == obj.code else f"{obj.code} — {name}"


class OrganisationChoices(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return obj.name


class MeasureForm(forms.ModelForm):
    executing_bodies = OrganisationChoices(label=_("Executing bodies"), queryset=Organisation.objects.none(),
                                           widget=forms.CheckboxSelectMultiple)
    partners = OrganisationChoices(label=_("Partners (NGOs and others)"), queryset=Organisation.objects.none(),
                                   widget=forms.CheckboxSelectMultiple, required=False)
    categories = CategoryChoices(label=_("Categories"), queryset=Category.objects.all(),
                                 widget=forms.CheckboxSelectMultiple, required=False)

    class Meta:
        model = Measure
        fields = ["section", "number", "text_az", "text_ru", "text_en", "expected_result_az", "expected_result_ru",
                  "expected_result_en", "executing_bodies", "partners", "categories", "start_year", "end_year",
                  "deadline"]
        widgets = {"text_az": _rows(3), "text_ru": _rows(3), "text_en": _rows(3), "expected_result_az": _rows(2),
                   "expected_result_ru": _rows(2), "expected_result_en": _rows(2), "deadline": DATE}

    def __init__(self, *args: Any, plan: Plan, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        section = self.fields["section"]
        section.queryset = plan.sections.order_by("order", "number")  # type: ignore[attr-defined]
        section.label_from_instance = lambda s: f"{s.number}. {localized(s, 'title')}"  # type: ignore[attr-defined]
        current = set()
        if self.instance.pk:
            current = {o.pk for o in self.instance.executing_bodies.all()} | {
                o.pk for o in self.instance.partners.all()}
        organisations = Organisation.objects.filter(is_active=True) | Organisation.objects.filter(pk__in=current)
        for name in ("executing_bodies", "partners"):
            self.fields[name].queryset = organisations.distinct().order_by("name")  # type: ignore[attr-defined]


class IndicatorForm(forms.ModelForm):
    computed_key = forms.ChoiceField(label=_("Computed from the records"), required=False,
                                     choices=figures.choices,
                                     help_text=_("Leave empty when the executing bodies report the value."))

    class Meta:
        model = Indicator
        fields = ["name_az", "name_ru", "name_en", "unit", "baseline", "baseline_year", "computed_key"]

    def __init__(self, *args: Any, measure: Measure, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.years = list(range(measure.start_year, measure.end_year + 1))
        current = {t.year: t.value for t in self.instance.targets.all()} if self.instance.pk else {}
        for year in self.years:
            self.fields[f"target_{year}"] = forms.DecimalField(
                label=_("Target for %(year)s") % {"year": year}, required=False, max_digits=14, decimal_places=2,
                initial=current.get(year))

    def indicator_fields(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in IndicatorForm.Meta.fields}

    def targets(self) -> dict[int, Any]:
        return {year: self.cleaned_data.get(f"target_{year}") for year in self.years}


class MeasureMultipleChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        plan = obj.section.plan
        return f"{plan.start_year}–{plan.end_year} · {obj.number} {localized(obj, 'text')[:80]}"


class PreviousChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.get_source_display()} · {obj.cycle}{' · ' + obj.reference if obj.reference else ''} — " \
               f"{localized(obj, 'text')[:70]}"


class RecommendationForm(forms.ModelForm):
    measures = MeasureMultipleChoice(label=_("Measures answering it"), required=False,
                                     queryset=Measure.objects.select_related("section__plan").order_by(
                                         "-section__plan__start_year", "section__order", "section__number", "id"),
                                     widget=forms.SelectMultiple(attrs={"size": 10}))
    previous = PreviousChoice(label=_("The same recommendation in an earlier cycle"), required=False,
                              queryset=Recommendation.objects.order_by("source", "cycle", "reference"))

    class Meta:
        model = Recommendation
        fields = ["source", "cycle", "reference", "text_az", "text_ru", "text_en", "priority", "theme", "measures",
                  "previous", "response_az", "response_ru", "response_en"]
        labels = {"priority": _("Priority or urgency")}
        widgets = {"text_az": _rows(4), "text_ru": _rows(4), "text_en": _rows(4), "response_az": _rows(3),
                   "response_ru": _rows(3), "response_en": _rows(3)}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["previous"].queryset = (  # type: ignore[attr-defined]
                Recommendation.objects.exclude(pk=self.instance.pk).order_by("source", "cycle", "reference"))

    def recommendation_fields(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data.pop("measures")
        return data
