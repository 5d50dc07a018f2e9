"""Case pages: list, intake, the case page with its timeline and actions, referrals, my tasks.

Each POST endpoint loads the case through the scoping query (404 when not visible, audited),
calls one action, and redirects back; a refused action shows its message in the user's language.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_http_methods, require_POST

from korpu.cases import actions, attachments, forms, queries
from korpu.cases.models import Attachment, FollowUp, Referral, Service
from korpu.core import access
from korpu.core.paginator import BoundedPaginator


def _require_victim_role(request: HttpRequest, action: str) -> None:
    access.require(access.can_see_victim_data(request.user), action=action, user=request.user)


def _messages_of(exc: ValidationError) -> str:
    return " ".join(exc.messages)


def filters_from(form: forms.CaseFilterForm) -> queries.CaseFilters:
    if not form.is_valid():
        return queries.CaseFilters()
    d = form.cleaned_data
    return queries.CaseFilters(status=d["status"], trafficking_status=d["trafficking_status"],
                               exploitation=d["exploitation"], gender=d["gender"], age_group=d["age_group"],
                               organisation=d["organisation"].pk if d["organisation"] else None,
                               identified_from=d["identified_from"], identified_to=d["identified_to"], q=d["q"])


@login_required
def case_list_view(request: HttpRequest) -> HttpResponse:
    _require_victim_role(request, "case.list")
    form = forms.CaseFilterForm(request.GET or None)
    filters = filters_from(form)
    page = BoundedPaginator(queries.case_list(request.user, filters, summary=True), 25).get_page(
        request.GET.get("page"))
    queries.audit_list(request.user, action="case.list", filters=filters, count=len(page.object_list))
    template = "cases/_case_rows.html" if request.headers.get("HX-Request") else "cases/case_list.html"
    return render(request, template, {"form": form, "page": page})


@login_required
@require_http_methods(["GET", "POST"])
def case_create_view(request: HttpRequest) -> HttpResponse:
    _require_victim_role(request, "case.create")
    form = forms.CaseIntakeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        person, case_fields, exploitation, consent = form.split()
        try:
            case = actions.case_register(by=request.user, person=person, case=case_fields,
                                         exploitation=exploitation, consent=consent)
        except ValidationError as exc:
            form.add_error(None, _messages_of(exc))
        else:
            messages.success(request, _("Case %(number)s is registered.") % {"number": case.number})
            return redirect("cases:detail", case_id=case.pk)
    return render(request, "cases/case_form.html", {"form": form}, status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def case_edit_view(request: HttpRequest, case_id: int) -> HttpResponse:
    """Correct a case's identity and context (consent has its own history and form)."""
    _require_victim_role(request, "case.update")
    case = queries.case_for(request.user, case_id, purpose="case.update")
    if "identity" not in queries.sections_for(request.user, case):
        access.require(False, action="case.update", user=request.user, object_type="cases.Case",
                       object_id=str(case.pk))
    form = forms.CaseIntakeForm(request.POST or None, initial=forms.CaseIntakeForm.initial_from(case))
    form.without_consent()
    if request.method == "POST" and form.is_valid():
        person, case_fields, exploitation, _consent = form.split()
        try:
            actions.case_update(by=request.user, case=case, person=person, case_fields=case_fields,
                                exploitation=exploitation)
        except ValidationError as exc:
            form.add_error(None, _messages_of(exc))
        else:
            messages.success(request, _("Saved."))
            return redirect("cases:detail", case_id=case.pk)
    return render(request, "cases/case_form.html", {"form": form, "case": case}, status=400 if form.errors else 200)


# The case page's action forms. Those inside a closed <details> are fetched when it is opened (htmx),
# so the page itself renders no form it does not show: most visits read the case and open none.
# name -> (form class, element-id prefix, URL name the form posts to, button label, button class, test id)
ACTION_FORMS: dict[str, tuple[Any, str, str, Any, str, str]] = {
    "decision": (forms.StatusDecisionForm, "decision_%s", "cases:decision", _lazy("Record"), "primary",
                 "decision-form"),
    "consent": (forms.ConsentForm, "consent_%s", "cases:consent", _lazy("Save"), "", "consent-form"),
    "referral": (forms.ReferralForm, "referral_%s", "cases:refer", _lazy("Send the referral"), "primary",
                 "referral-form"),
    "service": (forms.ServiceForm, "service_%s", "cases:service", _lazy("Save"), "", "service-form"),
    "follow_up": (forms.FollowUpForm, "followup_%s", "cases:follow_up", _lazy("Save"), "", "follow-up-form"),
    "assessment": (forms.AssessmentForm, "assessment_%s", "cases:assessment", _lazy("Save"), "", "assessment-form"),
    "grant": (forms.GrantForm, "grant_%s", "cases:grant", _lazy("Grant"), "", "grant-form"),
    "close": (forms.CloseForm, "close_%s", "cases:close", _lazy("Close"), "danger", "close-form"),
}


def _action_form_context(name: str, case_id: int) -> dict[str, Any]:
    form_class, auto_id, url_name, button, button_class, testid = ACTION_FORMS[name]
    from django.urls import reverse

    # Several forms share field names; distinct element ids keep every <label for> pointing at its own field.
    return {"form": form_class(auto_id=auto_id), "action": reverse(url_name, args=[case_id]), "button": button,
            "button_class": button_class, "testid": testid}


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
    }
    if can_decide and not detail.decisions:  # shown open: rendered with the page
        context["decision"] = _action_form_context("decision", case.pk)
    from korpu.shelters import queries as shelter_queries
    from korpu.shelters.forms import AdmissionForm

    if "admission" in detail.sections and not any(a.discharged_on is None for a in detail.admissions or []):
        facilities = list(shelter_queries.managed_facilities(user))
        if facilities:
            context["admission_form"] = AdmissionForm(
                facilities=shelter_queries.managed_facilities(user), auto_id="admission_%s",
                initial={"facility": facilities[0] if len(facilities) == 1 else None})
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
    class Empty(forms.forms.Form):
        pass

    return _case_post(request, case_id, Empty, lambda case, d: actions.consent_withdraw(by=request.user, case=case),
                      _("Consent is withdrawn."))


@login_required
@require_POST
def refer_view(request: HttpRequest, case_id: int) -> HttpResponse:
    def perform(case: Any, d: dict[str, Any]) -> Any:
        return actions.referral_create(by=request.user, case=case, to_organisation=d["to_organisation"],
                                       reason=d["reason"], services=d["services"], urgency=d["urgency"],
                                       details=d["details"], override_basis=d["override_basis"])

    return _case_post(request, case_id, forms.ReferralForm, perform, _("The referral is sent."))


@login_required
@require_POST
def service_view(request: HttpRequest, case_id: int) -> HttpResponse:
    return _case_post(request, case_id, forms.ServiceForm,
                      lambda case, d: actions.service_record(by=request.user, case=case, **d),
                      _("The service is recorded."))


@login_required
@require_POST
def service_deliver_view(request: HttpRequest, case_id: int, service_id: int) -> HttpResponse:
    class DeliverForm(forms.forms.Form):
        delivered_on = forms.forms.DateField()

    def perform(case: Any, d: dict[str, Any]) -> Any:
        service = Service.objects.filter(case=case, pk=service_id).first()
        if service is None:
            access.require(False, action="service.deliver", user=request.user, object_type="cases.Service",
                           object_id=str(service_id))
            raise Http404  # require() has raised already; this tells the type checker
        return actions.service_deliver(by=request.user, service=service, delivered_on=d["delivered_on"])

    return _case_post(request, case_id, DeliverForm, perform, _("The service is marked delivered."))


@login_required
@require_POST
def follow_up_view(request: HttpRequest, case_id: int) -> HttpResponse:
    return _case_post(request, case_id, forms.FollowUpForm,
                      lambda case, d: actions.follow_up_schedule(by=request.user, case=case, **d),
                      _("The follow-up is scheduled."))


@login_required
@require_POST
def follow_up_done_view(request: HttpRequest, case_id: int, follow_up_id: int) -> HttpResponse:
    class DoneForm(forms.forms.Form):
        notes = forms.forms.CharField(required=False)

    def perform(case: Any, d: dict[str, Any]) -> Any:
        follow_up = FollowUp.objects.filter(case=case, pk=follow_up_id).first()
        if follow_up is None:
            access.require(False, action="follow_up.done", user=request.user, object_type="cases.FollowUp",
                           object_id=str(follow_up_id))
            raise Http404  # require() has raised already; this tells the type checker
        return actions.follow_up_done(by=request.user, follow_up=follow_up, notes=d["notes"])

    return _case_post(request, case_id, DoneForm, perform, _("The follow-up is done."))


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
def attachment_view(request: HttpRequest, case_id: int) -> HttpResponse:
    def perform(case: Any, d: dict[str, Any]) -> Any:
        upload = d["file"]
        return attachments.attachment_add(by=request.user, case=case, filename=upload.name, data=upload.read())

    return _case_post(request, case_id, forms.AttachmentForm, perform, _("The file is attached."), files=True)


@login_required
def attachment_download_view(request: HttpRequest, case_id: int, attachment_id: int) -> HttpResponse:
    _require_victim_role(request, "attachment.download")
    case = queries.case_for(request.user, case_id, purpose="attachment.download")
    attachment = Attachment.objects.filter(case=case, pk=attachment_id).first()
    if attachment is None:
        access.require(False, action="attachment.download", user=request.user, object_type="cases.Attachment",
                       object_id=str(attachment_id))
        raise Http404  # require() has raised already; this tells the type checker
    try:
        content = attachments.attachment_content(by=request.user, attachment=attachment)
    except ValidationError:
        raise Http404 from None
    response = HttpResponse(content, content_type=attachment.content_type)
    from django.utils.http import content_disposition_header

    response["Content-Disposition"] = content_disposition_header(True, attachment.filename or "file") or "attachment"
    return response


@login_required
@require_POST
def close_view(request: HttpRequest, case_id: int) -> HttpResponse:
    return _case_post(request, case_id, forms.CloseForm,
                      lambda case, d: actions.case_close(by=request.user, case=case, **d),
                      _("The case is closed."))


@login_required
@require_POST
def grant_view(request: HttpRequest, case_id: int) -> HttpResponse:
    return _case_post(request, case_id, forms.GrantForm,
                      lambda case, d: actions.grant_create(by=request.user, case=case, **d),
                      _("Access is granted."))


# --- referrals ---------------------------------------------------------------------------------
@login_required
def referral_list_view(request: HttpRequest, box: str) -> HttpResponse:
    _require_victim_role(request, "referral.list")
    status = request.GET.get("status", "")
    if box == "inbox":
        referrals = queries.referral_inbox(request.user, status=status)
    else:
        referrals = queries.referral_outbox(request.user, status=status)
    page = BoundedPaginator(referrals, 25).get_page(request.GET.get("page"))
    return render(request, "cases/referral_list.html", {"page": page, "box": box, "status": status,
                                                        "statuses": Referral.Status.choices})


@login_required
@require_http_methods(["GET", "POST"])
def referral_detail_view(request: HttpRequest, referral_id: int) -> HttpResponse:
    _require_victim_role(request, "referral.view")
    referral = queries.referral_for(request.user, referral_id)
    decline_form = forms.DeclineForm(request.POST if request.POST.get("command") == "decline" else None)
    if request.method == "POST":
        command = request.POST.get("command")
        try:
            if command == "accept":
                actions.referral_accept(by=request.user, referral=referral)
                messages.success(request, _("The referral is accepted. The case is now open to your organisation."))
            elif command == "decline":
                if not decline_form.is_valid():
                    raise ValidationError(_("Give the reason for declining."))
                actions.referral_decline(by=request.user, referral=referral, reason=decline_form.cleaned_data["reason"])
                messages.success(request, _("The referral is declined."))
            elif command == "revoke":
                actions.referral_revoke(by=request.user, referral=referral)
                messages.success(request, _("The referral is revoked."))
            elif command == "complete":
                actions.referral_complete(by=request.user, referral=referral)
                messages.success(request, _("The referral is completed."))
            else:
                raise Http404
        except ValidationError as exc:
            messages.error(request, _messages_of(exc))
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
    user = request.user
    return render(request, "cases/tasks.html", {
        "decisions_due": queries.decisions_due(user)[:50],
        "overdue": set(queries.overdue_status_referrals(user).values_list("pk", flat=True)),
        "pending_referrals": queries.referral_inbox(user, status=Referral.Status.PENDING)[:50],
        "overdue_follow_ups": queries.overdue_follow_ups(user)[:50],
    })
