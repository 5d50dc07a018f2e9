"""Coalition pages: members, meetings (with participants, decisions, photos), proposals, campaigns."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from korpu.core import access
from korpu.engagement import actions, forms, queries
from korpu.engagement.models import Decision, Photo, Proposal


def _errors(form: Any) -> str:
    return "; ".join(" ".join(e) for e in form.errors.values())


@login_required
def coalition_view(request: HttpRequest) -> HttpResponse:
    return render(request, "engagement/coalition.html", {
        "members": queries.members(request.user), "decisions": queries.open_decisions(request.user)[:20],
        "can_manage": access.can_manage_engagement(request.user)})


@login_required
def meeting_list_view(request: HttpRequest) -> HttpResponse:
    return render(request, "engagement/meeting_list.html", {
        "meetings": queries.meetings_visible_to(request.user)[:200],
        "can_manage": access.can_manage_engagement(request.user)})


@login_required
@require_http_methods(["GET", "POST"])
def meeting_create_view(request: HttpRequest) -> HttpResponse:
    if not access.can_manage_engagement(request.user):
        access.require(False, action="meeting.create", user=request.user)
    form = forms.MeetingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data["agenda"] = data["agenda"].splitlines()
        try:
            meeting = actions.meeting_create(by=request.user, **data)
        except ValidationError as exc:
            form.add_error(None, " ".join(exc.messages))
        else:
            return redirect("engagement:meeting", meeting_id=meeting.pk)
    return render(request, "engagement/meeting_form.html", {"form": form}, status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def meeting_view(request: HttpRequest, meeting_id: int) -> HttpResponse:
    meeting = queries.meeting_for(request.user, meeting_id)
    if request.method == "POST":
        command = request.POST.get("command", "")
        try:
            _meeting_command(request, meeting, command)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        return redirect("engagement:meeting", meeting_id=meeting.pk)
    # Four forms share the page: distinct ids keep every label tied to its own field.
    return render(request, "engagement/meeting.html", {
        "meeting": meeting, "can_manage": access.can_manage_engagement(request.user),
        "my_organisation_ids": access.organisation_ids(request.user),
        "participant_form": forms.ParticipantForm(auto_id="participant_%s"),
        "decision_form": forms.DecisionForm(auto_id="decision_%s"),
        "photo_form": forms.PhotoForm(auto_id="photo_%s"), "proposal_form": forms.ProposalForm(auto_id="proposal_%s"),
    })


def _posted_id(request: HttpRequest, name: str) -> int:
    value = request.POST.get(name, "")
    if not value.isdigit():
        raise Http404
    return int(value)


def _meeting_command(request: HttpRequest, meeting: Any, command: str) -> None:
    by = request.user
    if command == "agenda":
        actions.agenda_add(by=by, meeting=meeting, text=request.POST.get("text", ""))
    elif command == "participant":
        form: Any = forms.ParticipantForm(request.POST)
        if not form.is_valid():
            raise ValidationError(_errors(form))
        actions.participant_add(by=by, meeting=meeting, **form.cleaned_data)
        messages.success(request, _("The participant is added."))
    elif command == "decision":
        form = forms.DecisionForm(request.POST)
        if not form.is_valid():
            raise ValidationError(_errors(form))
        actions.decision_add(by=by, meeting=meeting, **form.cleaned_data)
        messages.success(request, _("The decision is recorded."))
    elif command == "decision_done":
        decision = get_object_or_404(Decision, pk=_posted_id(request, "decision"), meeting=meeting)
        actions.decision_done(by=by, decision=decision)
    elif command == "photo":
        form = forms.PhotoForm(request.POST, request.FILES)
        if not form.is_valid():
            raise ValidationError(_errors(form))
        actions.photo_add(by=by, meeting=meeting, data=form.cleaned_data["image"].read(),
                          alt_text=form.cleaned_data["alt_text"], is_public=form.cleaned_data["is_public"])
        messages.success(request, _("The photo is added; its location and camera data were removed."))
    elif command == "photo_public":
        photo = get_object_or_404(Photo, pk=_posted_id(request, "photo"), meeting=meeting)
        actions.publish(by=by, obj=photo, public=request.POST.get("public") == "1")
    elif command == "proposal":
        form = forms.ProposalForm(request.POST)
        if not form.is_valid():
            raise ValidationError(_errors(form))
        actions.proposal_create(by=by, meeting=meeting, **form.cleaned_data)
        messages.success(request, _("The proposal is recorded."))
    elif command == "publish":
        actions.publish(by=by, obj=meeting, public=request.POST.get("public") == "1")
        messages.success(request, _("Saved."))
    elif command == "minutes":
        actions.meeting_update(by=by, meeting=meeting, minutes=request.POST.get("minutes", ""),
                               summary=request.POST.get("summary", ""))
        messages.success(request, _("Saved."))
    else:
        raise Http404


def _photo_response(photo: Photo, kind: str) -> FileResponse:
    name = photo.thumbnail if kind == "thumb" else photo.image
    content_type = "image/jpeg" if kind == "thumb" else photo.content_type
    response = FileResponse(default_storage.open(name, "rb"), content_type=content_type)
    response["Cache-Control"] = "private, max-age=3600"
    return response


@login_required
def photo_view(request: HttpRequest, photo_id: int, kind: str) -> FileResponse:
    return _photo_response(queries.photo_for(request.user, photo_id), kind)


def public_photo_view(request: HttpRequest, photo_id: int, kind: str) -> FileResponse:
    response = _photo_response(queries.photo_for(None, photo_id, public=True), kind)
    response["Cache-Control"] = "public, max-age=3600"
    return response


@login_required
def proposal_list_view(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    return render(request, "engagement/proposal_list.html", {
        "proposals": queries.proposals_visible_to(request.user, status=status)[:300], "status": status,
        "statuses": Proposal.Status.choices, "form": forms.ProposalForm()})


@login_required
@require_POST
def proposal_create_view(request: HttpRequest) -> HttpResponse:
    form = forms.ProposalForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(_errors(form))
        proposal = actions.proposal_create(by=request.user, **form.cleaned_data)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("engagement:proposals")
    return redirect("engagement:proposal", proposal_id=proposal.pk)


@login_required
@require_http_methods(["GET", "POST"])
def proposal_view(request: HttpRequest, proposal_id: int) -> HttpResponse:
    proposal = queries.proposal_for(request.user, proposal_id)
    form = forms.ProposalResponseForm(request.POST or None, initial={"measures": proposal.measures.all()})
    if request.method == "POST":
        try:
            if not form.is_valid():
                raise ValidationError(_errors(form))
            data = dict(form.cleaned_data)
            if "measures" not in request.POST:
                data["measures"] = None  # an answer that does not mention measures keeps the links it had
            actions.proposal_respond(by=request.user, proposal=proposal, **data)
            messages.success(request, _("Saved."))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        return redirect("engagement:proposal", proposal_id=proposal.pk)
    can_answer = access.can_manage_engagement(request.user) or access.member_of(request.user, proposal.addressed_to_id)
    return render(request, "engagement/proposal.html", {"proposal": proposal, "form": form, "can_answer": can_answer})


@login_required
def campaign_list_view(request: HttpRequest) -> HttpResponse:
    campaigns = queries.campaigns_visible_to(request.user)
    year_text = request.GET.get("year", "")
    return render(request, "engagement/campaign_list.html", {
        "campaigns": campaigns, "reach": queries.reach_totals(year=int(year_text) if year_text.isdigit() else None),
        "can_manage": access.can_manage_engagement(request.user), "form": forms.CampaignForm()})


@login_required
@require_POST
def campaign_create_view(request: HttpRequest) -> HttpResponse:
    form = forms.CampaignForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(_errors(form))
        campaign = actions.campaign_create(by=request.user, **form.cleaned_data)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("engagement:campaigns")
    return redirect("engagement:campaign", campaign_id=campaign.pk)


@login_required
@require_http_methods(["GET", "POST"])
def campaign_view(request: HttpRequest, campaign_id: int) -> HttpResponse:
    campaign = queries.campaign_for(request.user, campaign_id)
    form = forms.CampaignEventForm(request.POST or None)
    if request.method == "POST":
        try:
            if not form.is_valid():
                raise ValidationError(_errors(form))
            actions.campaign_event_add(by=request.user, campaign=campaign, **form.cleaned_data)
            messages.success(request, _("The event is added."))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        return redirect("engagement:campaign", campaign_id=campaign.pk)
    return render(request, "engagement/campaign.html", {
        "campaign": campaign, "events": campaign.events.all(), "form": form,
        "reach": queries.reach_totals(queries.campaigns_visible_to(request.user).filter(pk=campaign.pk)),
        "can_manage": access.can_manage_engagement(request.user)})


# --- public ------------------------------------------------------------------------------------
def public_meetings_view(request: HttpRequest) -> HttpResponse:
    return render(request, "engagement/public_meetings.html", {
        "meetings": queries.meetings_visible_to(None, public=True).prefetch_related("photos")[:100]})


def public_meeting_view(request: HttpRequest, meeting_id: int) -> HttpResponse:
    return render(request, "engagement/public_meeting.html", {
        "meeting": queries.meeting_for(None, meeting_id, public=True)})


def public_campaigns_view(request: HttpRequest) -> HttpResponse:
    campaigns = queries.campaigns_visible_to(None, public=True)
    past = campaigns.filter(ends_on__lt=timezone.localdate())
    return render(request, "engagement/public_campaigns.html", {
        "upcoming": queries.upcoming_campaigns(), "campaigns": past[:100],
        "reach": queries.reach_totals(campaigns)})
