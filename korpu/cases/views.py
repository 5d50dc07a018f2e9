"""Case pages: list, intake, the case page with its timeline and actions, referrals, my tasks.

Each POST endpoint loads the case through the scoping query (404 when not visible, audited),
calls one action, and redirects back; a refused action shows its message in the user's language.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms as django_forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_http_methods, require_POST

from korpu.cases import actions, choices, filters, forms, queries
from korpu.cases.models import AccessGrant, FollowUp, Service, SupportPlan
from korpu.core import access
from korpu.core import filters as core_filters
from korpu.core.downloads import file_download, private_image
from korpu.core.paginator import BoundedPaginator
from korpu.core.uploads import read_upload
from korpu.core.views import form_page


def _require_victim_role(request: HttpRequest, action: str) -> None:
    access.require(access.can_see_victim_data(request.user), action=action, user=request.user)


def _messages_of(exc: ValidationError) -> str:
    return " ".join(exc.messages)


@login_required
def case_list_view(request: HttpRequest) -> HttpResponse:
    """The cases the user may see, filtered and sorted by ``CaseFilter``; htmx gets only the table."""
    _require_victim_role(request, "case.list")
    case_filter = core_filters.bound(filters.CaseFilter, request.GET,
                                     queryset=queries.case_list(request.user, summary=True))
    page = BoundedPaginator(case_filter.qs, 25).get_page(request.GET.get("page"))
    queries.audit_list(request.user, action="case.list", filters=core_filters.applied(case_filter),
                       count=len(page.object_list))
    template = "cases/_case_rows.html" if request.headers.get("HX-Request") else "cases/case_list.html"
    return render(request, template, {"form": case_filter.form, "page": page,
                                      "sort": core_filters.sort_links(case_filter, request.GET),
                                      "sort_value": core_filters.sort_key(case_filter)})


@login_required
@require_http_methods(["GET", "POST"])
def case_create_view(request: HttpRequest) -> HttpResponse:
    _require_victim_role(request, "case.create")
    form = forms.CaseIntakeForm(request.POST or None)

    def perform() -> Any:
        person, case_fields, exploitation, consent = form.split()
        return actions.case_register(by=request.user, person=person, case=case_fields, exploitation=exploitation,
                                     consent=consent)

    return form_page(request, form, perform, template="cases/case_form.html",
                     success=lambda case: _("Case %(number)s is registered.") % {"number": case.number},
                     then=lambda case: reverse("cases:detail", args=[case.pk]) + "?duplicates=1")


@login_required
@require_http_methods(["GET", "POST"])
def case_edit_view(request: HttpRequest, case_id: int) -> HttpResponse:
    """Correct a case's identity and context (consent has its own history and form)."""
    _require_victim_role(request, "case.update")
    # The form shows the person's identifiers: the same audited read as "Show identity".
    case = queries.identity_for(request.user, case_id)
    form = forms.CaseIntakeForm(request.POST or None, initial=forms.CaseIntakeForm.initial_from(case))
    form.without_consent()

    def perform() -> Any:
        person, case_fields, exploitation, _consent = form.split()
        return actions.case_update(by=request.user, case=case, person=person, case_fields=case_fields,
                                   exploitation=exploitation)

    return form_page(request, form, perform, template="cases/case_form.html", success=_("Saved."),
                     then=reverse("cases:detail", args=[case.pk]), extra={"case": case})


# The case page's action forms. Those inside a closed <details> are fetched when it is opened (htmx),
# so the page itself renders no form it does not show: most visits read the case and open none.
# name -> (form class, element-id prefix, URL name the form posts to, button label, button class, test id)
ACTION_FORMS: dict[str, tuple[Any, str, str, Any, str, str]] = {
    "decision": (forms.StatusDecisionForm, "decision_%s", "cases:decision", _lazy("Record"), "primary",
                 "decision-form"),
    "consent": (forms.ConsentForm, "consent_%s", "cases:consent", _lazy("Save"), "", "consent-form"),
    "consent_withdraw": (forms.ConsentWithdrawForm, "withdraw_%s", "cases:consent_withdraw",
                         _lazy("Record withdrawal"), "danger", "withdraw-form"),
    "referral": (forms.ReferralForm, "referral_%s", "cases:refer", _lazy("Send the referral"), "primary",
                 "referral-form"),
    "service": (forms.ServiceForm, "service_%s", "cases:service", _lazy("Save"), "", "service-form"),
    "follow_up": (forms.FollowUpForm, "followup_%s", "cases:follow_up", _lazy("Save"), "", "follow-up-form"),
    "assessment": (forms.AssessmentForm, "assessment_%s", "cases:assessment", _lazy("Save"), "", "assessment-form"),
    "support_plan": (forms.SupportPlanForm, "plan_%s", "cases:support_plan", _lazy("Save"), "",
                     "support-plan-form"),
    "trafficking_event": (forms.TraffickingEventForm, "event_%s", "cases:trafficking_event", _lazy("Save"), "",
                          "trafficking-event-form"),
    "photo": (forms.PhotoForm, "photo_%s", "cases:photo_upload", _lazy("Upload"), "", "photo-form"),
    "grant": (forms.GrantForm, "grant_%s", "cases:grant", _lazy("Grant"), "", "grant-form"),
    "close": (forms.CloseForm, "close_%s", "cases:close", _lazy("Close"), "danger", "close-form"),
}


def _action_form_context(name: str, case_id: int) -> dict[str, Any]:
    form_class, auto_id, url_name, button, button_class, testid = ACTION_FORMS[name]
    # Several forms share field names; distinct element ids keep every <label for> pointing at its own field.
    return {"form": form_class(auto_id=auto_id), "action": reverse(url_name, args=[case_id]), "button": button,
            "button_class": button_class, "testid": testid}


def _labels(values: Any, enum: Any) -> str:
    names = dict(enum.choices)
    return ", ".join(str(names.get(v, v)) for v in values or [])


def _countries(codes: Any) -> str:
    names = choices.countries()
    return ", ".join(names.get(c, c) for c in codes or [])


def languages_display(codes: Any) -> str:
    return ", ".join(choices.LANGUAGES.get(c, c) for c in codes or [])


def victim_context(detail: queries.CaseDetail) -> list[tuple[Any, str]]:
    """The victim context of the case page as (label, text) rows, only those that are filled in.

    Every row is statistics-grade (no identifier) except the place of recruitment and the reason for
    closure, which are encrypted and shown only with the identity section.
    """
    case = detail.case
    period = ""
    if case.exploitation_start or case.exploitation_end:
        period = " – ".join(formats.date_format(d, "SHORT_DATE_FORMAT") if d else "…"
                            for d in (case.exploitation_start, case.exploitation_end))
    rows: list[tuple[Any, str]] = [
        (_lazy("Forced labour industry"), case.get_forced_labour_industry_display() if case.forced_labour_industry
         else ""),
        (_lazy("Type of sexual exploitation"), _labels(case.sexual_exploitation_types, choices.SexExploitation)),
        (_lazy("Means of control"), _labels(case.means_of_control, choices.MeansOfControl)),
        (_lazy("Method of recruitment"), _labels(case.recruitment_methods, choices.RecruitmentMethod)),
        (_lazy("Recruitment websites and apps"), _labels(case.recruitment_websites, choices.Website)),
        (_lazy("Exploitation websites and apps"), _labels(case.exploitation_websites, choices.Website)),
        (_lazy("Relationship to trafficker"), case.get_relationship_to_trafficker_display()
         if case.relationship_to_trafficker else ""),
        (_lazy("Country of origin"), _countries([case.country_of_origin] if case.country_of_origin else [])),
        (_lazy("Transit countries"), _countries(case.transit_countries)),
        (_lazy("Countries of exploitation"), _countries(case.exploitation_countries)),
        (_lazy("Period of exploitation"), period),
        (_lazy("Age when first trafficked"), "" if case.age_when_trafficked is None else str(case.age_when_trafficked)),
    ]
    if "identity" in detail.sections:
        rows.append((_lazy("Place of recruitment"), case.recruitment_place or ""))
        if case.status in actions.CLOSED:
            rows.append((_lazy("Reason for closure"), case.closure_reason or ""))
    return [(label, text) for label, text in rows if text]


@login_required
def case_detail_view(request: HttpRequest, case_id: int) -> HttpResponse:
    _require_victim_role(request, "case.view")
    case = queries.case_for(request.user, case_id)
    detail = queries.case_detail(request.user, case)
    user = request.user
    can_decide = access.can_decide_status(user) and "investigation" in detail.sections
    context: dict[str, Any] = {
        "detail": detail, "case": case, "sections": detail.sections, "can_decide": can_decide,
        "note_form": forms.NoteForm(auto_id="note_%s"), "attachment_form": forms.AttachmentForm(auto_id="file_%s"),
        "today": timezone.localdate(), "is_closed": case.status in actions.CLOSED,
        "victim_context": victim_context(detail),
        "person_languages": languages_display(case.person.languages) if detail.person else "",
        "country_of_residence": _countries([case.person.address_country]) if detail.person
        and case.person.address_country else "",
        "live_grants": [g for g in detail.grants or [] if g.revoked_at is None and g.expires_at > timezone.now()],
    }
    if can_decide and not detail.decisions:  # shown open: rendered with the page
        context["decision"] = _action_form_context("decision", case.pk)
    # The admission form comes from the shelters app as a fragment (it knows the user's facilities).
    context["offer_admission"] = ("admission" in detail.sections and bool(access.facility_operator_ids(user))
                                  and not any(a.discharged_on is None for a in detail.admissions or []))
    return render(request, "cases/case_detail.html", context)


@login_required
def case_action_form_view(request: HttpRequest, case_id: int, name: str) -> HttpResponse:
    """One blank action form of the case page, fetched when its <details> is opened.

    It carries no case data, so it checks that the case is visible without reading (or auditing a
    read of) the case; a case the user may not see is a 404 with a "denied" event, as everywhere.
    """
    _require_victim_role(request, "case.view")
    visible = name in ACTION_FORMS and queries.cases_visible_to(request.user).filter(pk=case_id).exists()
    access.require(visible, action="case.form", user=request.user, object_type="cases.Case", object_id=str(case_id))
    return render(request, "cases/_action_form.html", _action_form_context(name, case_id))


@login_required
def identity_view(request: HttpRequest, case_id: int) -> HttpResponse:
    """The person's names, contacts, address, documents and guardian ("Show identity" on the case page).

    A read of its own, audited as ``person.reveal``; htmx gets the fragment, a plain request the page.
    """
    _require_victim_role(request, "person.reveal")
    case = queries.identity_for(request.user, case_id)
    context = {"case": case, "person": case.person}
    if request.headers.get("HX-Request"):
        return render(request, "cases/_identity.html", context)
    return render(request, "cases/identity.html", context)


@login_required
def photo_view(request: HttpRequest, case_id: int) -> HttpResponse:
    """The person's photo (identity section), decrypted in the app; audited as ``person.photo_view``."""
    _require_victim_role(request, "person.photo_view")
    case = queries.visible_case(request.user, case_id, action="person.photo_view")
    content, content_type = queries.person_photo_content(by=request.user, case=case)
    return private_image(content, content_type=content_type)


def _case_post(request: HttpRequest, case_id: int, form_class: Any, perform: Callable[[Any, dict[str, Any]], Any],
               success: str, *, files: bool = False) -> HttpResponse:
    """Shared shape of the case-page POST endpoints: scope, validate, one action, redirect."""
    _require_victim_role(request, "case.update")
    case = queries.case_for(request.user, case_id, purpose="case.update")
    form = form_class(request.POST, request.FILES) if files else form_class(request.POST)
    if not form.is_valid():
        errors = "; ".join(f"{form.fields[f].label if f in form.fields else ''}: {' '.join(e)}".lstrip(": ")
                           for f, e in form.errors.items())
        messages.error(request, errors)
        return redirect("cases:detail", case_id=case.pk)
    try:
        perform(case, form.cleaned_data)
    except ValidationError as exc:
        messages.error(request, _messages_of(exc))
    else:
        messages.success(request, success)
    return redirect("cases:detail", case_id=case.pk)


@login_required
@require_POST
def decision_view(request: HttpRequest, case_id: int) -> HttpResponse:
    return _case_post(request, case_id, forms.StatusDecisionForm,
                      lambda case, d: actions.status_decision_record(by=request.user, case=case, **d),
                      _("The status decision is recorded."))


@login_required
@require_POST
def consent_view(request: HttpRequest, case_id: int) -> HttpResponse:
    return _case_post(request, case_id, forms.ConsentForm,
                      lambda case, d: actions.consent_record(by=request.user, case=case, **d),
                      _("Consent is recorded."))


@login_required
@require_POST
def consent_withdraw_view(request: HttpRequest, case_id: int) -> HttpResponse:
    return _case_post(request, case_id, forms.ConsentWithdrawForm,
                      lambda case, d: actions.consent_withdraw(by=request.user, case=case, **d),
                      _("Consent is withdrawn."))


@login_required
@require_POST
def refer_view(request: HttpRequest, case_id: int) -> HttpResponse:
    def perform(case: Any, d: dict[str, Any]) -> Any:
        return actions.referral_create(by=request.user, case=case, to_organisation=d["to_organisation"],
                                       reason=d["reason"], services=d["services"], urgency=d["urgency"],
                                       details=d["details"], override_basis=d["override_basis"],
                                       sections=d["sections"] or None)

    return _case_post(request, case_id, forms.ReferralForm, perform, _("The referral is sent."))


@login_required
@require_POST
def service_view(request: HttpRequest, case_id: int) -> HttpResponse:
    return _case_post(request, case_id, forms.ServiceForm,
                      lambda case, d: actions.service_record(by=request.user, case=case, **d),
                      _("The service is recorded."))


def _sub(request: HttpRequest, model: Any, case: Any, pk: int, action: str) -> Any:
    return queries.case_part_for(request.user, model, case, pk, action=action)


@login_required
@require_POST
def service_deliver_view(request: HttpRequest, case_id: int, service_id: int) -> HttpResponse:
    def perform(case: Any, d: dict[str, Any]) -> Any:
        service = _sub(request, Service, case, service_id, "service.deliver")
        return actions.service_deliver(by=request.user, service=service, **d)

    return _case_post(request, case_id, forms.DeliverForm, perform, _("The service is marked delivered."))


@login_required
@require_POST
def follow_up_view(request: HttpRequest, case_id: int) -> HttpResponse:
    return _case_post(request, case_id, forms.FollowUpForm,
                      lambda case, d: actions.follow_up_schedule(by=request.user, case=case, **d),
                      _("The follow-up is scheduled."))


@login_required
@require_POST
def follow_up_done_view(request: HttpRequest, case_id: int, follow_up_id: int) -> HttpResponse:
    def perform(case: Any, d: dict[str, Any]) -> Any:
        follow_up = _sub(request, FollowUp, case, follow_up_id, "follow_up.done")
        return actions.follow_up_done(by=request.user, follow_up=follow_up, **d)

    return _case_post(request, case_id, forms.FollowUpDoneForm, perform, _("The follow-up is done."))


@login_required
@require_POST
def assessment_view(request: HttpRequest, case_id: int) -> HttpResponse:
    return _case_post(request, case_id, forms.AssessmentForm,
                      lambda case, d: actions.assessment_record(by=request.user, case=case, **d),
                      _("The assessment is recorded."))


@login_required
@require_POST
def note_view(request: HttpRequest, case_id: int) -> HttpResponse:
    return _case_post(request, case_id, forms.NoteForm,
                      lambda case, d: actions.note_add(by=request.user, case=case, text=d["text"]),
                      _("The note is saved."))


@login_required
@require_POST
def support_plan_view(request: HttpRequest, case_id: int) -> HttpResponse:
    return _case_post(request, case_id, forms.SupportPlanForm,
                      lambda case, d: actions.support_plan_create(by=request.user, case=case, **d),
                      _("The support plan is saved."))


@login_required
@require_POST
def support_plan_end_view(request: HttpRequest, case_id: int, plan_id: int) -> HttpResponse:
    def perform(case: Any, d: dict[str, Any]) -> Any:
        plan = _sub(request, SupportPlan, case, plan_id, "support_plan.end")
        return actions.support_plan_end(by=request.user, plan=plan, **d)

    return _case_post(request, case_id, forms.SupportPlanEndForm, perform, _("The support plan is ended."))


@login_required
@require_POST
def trafficking_event_view(request: HttpRequest, case_id: int) -> HttpResponse:
    return _case_post(request, case_id, forms.TraffickingEventForm,
                      lambda case, d: actions.trafficking_event_record(by=request.user, case=case, **d),
                      _("The event is recorded."))


@login_required
@require_POST
def attachment_view(request: HttpRequest, case_id: int) -> HttpResponse:
    def perform(case: Any, d: dict[str, Any]) -> Any:
        upload = d["file"]
        return actions.attachment_add(by=request.user, case=case, filename=upload.name, data=read_upload(upload))

    return _case_post(request, case_id, forms.AttachmentForm, perform, _("The file is attached."), files=True)


@login_required
@require_POST
def photo_upload_view(request: HttpRequest, case_id: int) -> HttpResponse:
    def perform(case: Any, d: dict[str, Any]) -> Any:
        upload = d["file"]
        return actions.person_photo_set(by=request.user, case=case, filename=upload.name,
                                            data=read_upload(upload))

    return _case_post(request, case_id, forms.PhotoForm, perform, _("The photo is saved."), files=True)


@login_required
def attachment_download_view(request: HttpRequest, case_id: int, attachment_id: int) -> HttpResponse:
    _require_victim_role(request, "attachment.download")
    case = queries.case_for(request.user, case_id, purpose="attachment.download")
    attachment, content = queries.attachment_download(by=request.user, case=case, attachment_id=attachment_id)
    return file_download(content, content_type=attachment.content_type, filename=attachment.filename)


@login_required
@require_POST
def close_view(request: HttpRequest, case_id: int) -> HttpResponse:
    return _case_post(request, case_id, forms.CloseForm,
                      lambda case, d: actions.case_close(by=request.user, case=case, **d),
                      _("The case is closed."))


@login_required
@require_POST
def status_view(request: HttpRequest, case_id: int) -> HttpResponse:
    return _case_post(request, case_id, forms.StatusForm,
                      lambda case, d: actions.case_set_status(by=request.user, case=case, status=d["status"]),
                      _("The case status is changed."))


@login_required
@require_POST
def grant_view(request: HttpRequest, case_id: int) -> HttpResponse:
    def perform(case: Any, d: dict[str, Any]) -> Any:
        return actions.grant_create(by=request.user, case=case, organisation=d["organisation"], reason=d["reason"],
                                    days=d["days"], sections=d["sections"] or None)

    return _case_post(request, case_id, forms.GrantForm, perform, _("Access is granted."))


@login_required
@require_POST
def grant_revoke_view(request: HttpRequest, case_id: int, grant_id: int) -> HttpResponse:
    class Empty(django_forms.Form):
        pass

    def perform(case: Any, d: dict[str, Any]) -> Any:
        grant = _sub(request, AccessGrant, case, grant_id, "grant.revoke")
        return actions.grant_revoke(by=request.user, grant=grant)

    return _case_post(request, case_id, Empty, perform, _("The grant is revoked."))


# --- referrals ---------------------------------------------------------------------------------
@login_required
def referral_list_view(request: HttpRequest, box: str) -> HttpResponse:
    _require_victim_role(request, "referral.list")
    rows = queries.referral_inbox(request.user) if box == "inbox" else queries.referral_outbox(request.user)
    listed = core_filters.bound(filters.ReferralFilter, request.GET, queryset=rows)
    page = BoundedPaginator(listed.qs, 25).get_page(request.GET.get("page"))
    return render(request, "cases/referral_list.html", {
        "page": page, "box": box, "form": listed.form, "sort": core_filters.sort_links(listed, request.GET),
        "sort_value": core_filters.sort_key(listed)})


# What the referral page says once a command (``actions.referral_command``) has succeeded.
REFERRAL_DONE = {
    "accept": _lazy("The referral is accepted. The case is now open to your organisation."),
    "decline": _lazy("The referral is declined."),
    "revoke": _lazy("The referral is revoked."),
    "complete": _lazy("The referral is completed."),
}


@login_required
@require_http_methods(["GET", "POST"])
def referral_detail_view(request: HttpRequest, referral_id: int) -> HttpResponse:
    _require_victim_role(request, "referral.view")
    referral = queries.referral_for(request.user, referral_id)
    decline_form = forms.DeclineForm(request.POST if request.POST.get("command") == "decline" else None)
    if request.method == "POST":
        command = request.POST.get("command", "")
        if command not in REFERRAL_DONE:
            raise Http404
        try:
            if command == "decline" and not decline_form.is_valid():
                raise ValidationError(_("Give the reason for declining."))
            actions.referral_command(by=request.user, referral=referral, command=command,
                                     reason=decline_form.cleaned_data["reason"] if command == "decline" else "")
        except ValidationError as exc:
            messages.error(request, _messages_of(exc))
        else:
            messages.success(request, str(REFERRAL_DONE[command]))
        return redirect("cases:referral_detail", referral_id=referral.pk)
    org_ids = queries.victim_data_organisation_ids(request.user)
    return render(request, "cases/referral_detail.html", {
        "referral": referral, "decline_form": decline_form,
        "is_receiver": referral.to_organisation_id in org_ids, "is_sender": referral.from_organisation_id in org_ids,
        "case_visible": queries.cases_visible_to(request.user).filter(pk=referral.case_id).exists(),
    })


@login_required
def tasks_view(request: HttpRequest) -> HttpResponse:
    _require_victim_role(request, "tasks.view")
    tasks = queries.tasks_for(request.user)
    return render(request, "cases/tasks.html", {
        "decisions_due": tasks.decisions_due, "overdue": tasks.overdue_decisions,
        "pending_referrals": tasks.pending_referrals, "overdue_follow_ups": tasks.overdue_follow_ups,
    })
