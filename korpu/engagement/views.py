"""Coalition pages: members and their contact people, meetings (with agenda, participants, decisions,
photos and files), proposals, campaigns; and the public pages of meetings and campaigns."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from korpu.core import access
from korpu.core.downloads import file_download
from korpu.core.uploads import read_upload
from korpu.engagement import actions, forms, queries
from korpu.engagement.models import Campaign, Meeting, MeetingAttachment, Photo, Proposal


def _errors(form: Any) -> str:
    return "; ".join(" ".join(e) for e in form.errors.values())


def _require_coordinator(request: HttpRequest, action: str) -> None:
    """A management page: other users get the same 404 as for a missing page, and a denied event."""
    access.require(access.can_manage_engagement(request.user), action=action, user=request.user)


def _form_page(request: HttpRequest, form: Any, *, title: str, back: str,
               extra: dict[str, Any] | None = None) -> HttpResponse:
    """One small form on its own page (edit a participant, a decision, an event, a new member...)."""
    return render(request, "engagement/form_page.html", {"form": form, "title": title, "back": back, **(extra or {})},
                  status=400 if form.errors else 200)


def _posted_id(request: HttpRequest, name: str) -> int:
    value = request.POST.get(name, "")
    if not value.isdigit():
        raise Http404
    return int(value)


# --- coalition -----------------------------------------------------------------------------------
@login_required
def coalition_view(request: HttpRequest) -> HttpResponse:
    can_manage = access.can_manage_engagement(request.user)
    rows = queries.member_rows(request.user)
    return render(request, "engagement/coalition.html", {
        "members": rows, "has_chair": any(r["member"].is_chair for r in rows),
        "former": queries.member_rows(request.user, former=True) if can_manage else [],
        "decisions": queries.open_decisions(request.user)[:20], "can_manage": can_manage})


@login_required
@require_http_methods(["GET", "POST"])
def member_create_view(request: HttpRequest) -> HttpResponse:
    _require_coordinator(request, "coalition.member")
    form = forms.MemberForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            member = actions.member_save(by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, " ".join(exc.messages))
        else:
            messages.success(request, _("The member is saved."))
            return redirect("engagement:member", member_id=member.pk)
    return _form_page(request, form, title=_("New coalition member"), back="engagement:coalition")


@login_required
@require_http_methods(["GET", "POST"])
def member_view(request: HttpRequest, member_id: int) -> HttpResponse:
    """A member's page for the coordinator: the membership (join date, chair, services, regions, left
    date) and its contact people."""
    _require_coordinator(request, "coalition.member")
    member = queries.member_for(request.user, member_id)
    form = forms.MemberForm(request.POST or None, member=member)
    contact_form = forms.ContactForm(auto_id="contact_%s")
    if request.method == "POST":
        command = request.POST.get("command", "member")
        if command == "contact":
            contact_form = forms.ContactForm(request.POST, auto_id="contact_%s")
            if contact_form.is_valid():
                try:
                    actions.contact_save(by=request.user, member=member, **contact_form.cleaned_data)
                except ValidationError as exc:
                    contact_form.add_error(None, " ".join(exc.messages))
                else:
                    messages.success(request, _("The contact person is added."))
                    return redirect("engagement:member", member_id=member.pk)
            form = forms.MemberForm(member=member)
        elif command == "contact_delete":
            contact = queries.contact_for(request.user, member, _posted_id(request, "contact"))
            actions.contact_delete(by=request.user, contact=contact)
            messages.success(request, _("The contact person is removed."))
            return redirect("engagement:member", member_id=member.pk)
        elif command == "member":
            if form.is_valid():
                try:
                    actions.member_save(by=request.user, organisation=member.organisation, **form.cleaned_data)
                except ValidationError as exc:
                    form.add_error(None, " ".join(exc.messages))
                else:
                    messages.success(request, _("The member is saved."))
                    return redirect("engagement:member", member_id=member.pk)
        else:
            raise Http404
    status = 400 if form.errors or contact_form.errors else 200
    return render(request, "engagement/member.html", {
        "member": member, "form": form, "contact_form": contact_form, "contacts": member.contacts.all()},
        status=status)


@login_required
@require_http_methods(["GET", "POST"])
def contact_view(request: HttpRequest, member_id: int, contact_id: int) -> HttpResponse:
    _require_coordinator(request, "coalition.contact")
    member = queries.member_for(request.user, member_id)
    contact = queries.contact_for(request.user, member, contact_id)
    form = forms.ContactForm(request.POST or None, initial={
        "name": contact.name, "title": contact.title, "phone": contact.phone, "email": contact.email})
    if request.method == "POST" and form.is_valid():
        try:
            actions.contact_save(by=request.user, member=member, contact=contact, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, " ".join(exc.messages))
        else:
            messages.success(request, _("Saved."))
            return redirect("engagement:member", member_id=member.pk)
    return _form_page(request, form, title=_("Contact person of %(member)s") % {"member": member.organisation.name},
                      back="engagement:member", extra={"back_id": member.pk})


# --- meetings ------------------------------------------------------------------------------------
@login_required
def meeting_list_view(request: HttpRequest) -> HttpResponse:
    return render(request, "engagement/meeting_list.html", {
        "meetings": queries.meetings_visible_to(request.user)[:200],
        "can_manage": access.can_manage_engagement(request.user)})


@login_required
@require_http_methods(["GET", "POST"])
def meeting_create_view(request: HttpRequest) -> HttpResponse:
    _require_coordinator(request, "meeting.create")
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
def meeting_edit_view(request: HttpRequest, meeting_id: int) -> HttpResponse:
    """Correct the meeting's title, date, place and organiser."""
    _require_coordinator(request, "meeting.update")
    meeting = queries.meeting_for(request.user, meeting_id)
    form = forms.MeetingEditForm(request.POST or None, initial={
        "title": meeting.title, "held_on": meeting.held_on, "place": meeting.place, "organiser": meeting.organiser})
    if request.method == "POST" and form.is_valid():
        try:
            actions.meeting_update(by=request.user, meeting=meeting, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, " ".join(exc.messages))
        else:
            messages.success(request, _("Saved."))
            return redirect("engagement:meeting", meeting_id=meeting.pk)
    return _form_page(request, form, title=_("Edit the meeting"), back="engagement:meeting",
                      extra={"back_id": meeting.pk, "testid": "meeting-edit-form"})


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
    # Several forms share the page: distinct ids keep every label tied to its own field.
    return render(request, "engagement/meeting.html", {
        "meeting": meeting, "can_manage": access.can_manage_engagement(request.user),
        "my_organisation_ids": access.organisation_ids(request.user),
        "participant_form": forms.ParticipantForm(auto_id="participant_%s"),
        "decision_form": forms.DecisionForm(auto_id="decision_%s"),
        "photo_form": forms.PhotoForm(auto_id="photo_%s"), "proposal_form": forms.ProposalForm(auto_id="proposal_%s"),
        "attachment_form": forms.AttachmentForm(auto_id="file_%s"),
    })


def _photo(request: HttpRequest, meeting: Meeting) -> Photo:
    photo = Photo.objects.filter(pk=_posted_id(request, "photo"), meeting=meeting).first()
    if photo is None:
        raise Http404
    return photo


def _attachment(request: HttpRequest, meeting: Meeting) -> MeetingAttachment:
    attachment = MeetingAttachment.objects.filter(pk=_posted_id(request, "attachment"), meeting=meeting).first()
    if attachment is None:
        raise Http404
    return attachment


def _meeting_command(request: HttpRequest, meeting: Meeting, command: str) -> None:
    by = request.user
    if command == "agenda":
        actions.agenda_add(by=by, meeting=meeting, text=request.POST.get("text", ""))
    elif command == "agenda_update":
        item = queries.agenda_item_for(by, meeting, _posted_id(request, "item"))
        actions.agenda_update(by=by, item=item, text=request.POST.get("text", ""))
        messages.success(request, _("Saved."))
    elif command == "agenda_remove":
        item = queries.agenda_item_for(by, meeting, _posted_id(request, "item"))
        actions.agenda_remove(by=by, item=item)
        messages.success(request, _("The agenda item is removed."))
    elif command == "participant":
        form: Any = forms.ParticipantForm(request.POST)
        if not form.is_valid():
            raise ValidationError(_errors(form))
        actions.participant_add(by=by, meeting=meeting, **form.cleaned_data)
        messages.success(request, _("The participant is added."))
    elif command == "participant_remove":
        participant = queries.participant_for(by, meeting, _posted_id(request, "participant"))
        actions.participant_remove(by=by, participant=participant)
        messages.success(request, _("The participant is removed."))
    elif command == "decision":
        form = forms.DecisionForm(request.POST)
        if not form.is_valid():
            raise ValidationError(_errors(form))
        actions.decision_add(by=by, meeting=meeting, **form.cleaned_data)
        messages.success(request, _("The decision is recorded."))
    elif command == "decision_done":
        decision = queries.decision_for(by, meeting, _posted_id(request, "decision"))
        actions.decision_done(by=by, decision=decision)
    elif command == "decision_remove":
        decision = queries.decision_for(by, meeting, _posted_id(request, "decision"))
        actions.decision_remove(by=by, decision=decision)
        messages.success(request, _("The decision is removed."))
    elif command == "photo":
        form = forms.PhotoForm(request.POST, request.FILES)
        if not form.is_valid():
            raise ValidationError(_errors(form))
        actions.photo_add(by=by, meeting=meeting, data=read_upload(form.cleaned_data["image"], photo=True),
                          alt_text=form.cleaned_data["alt_text"], is_public=form.cleaned_data["is_public"])
        messages.success(request, _("The photo is added; its location and camera data were removed."))
    elif command == "photo_public":
        actions.publish(by=by, obj=_photo(request, meeting), public=request.POST.get("public") == "1")
    elif command == "photo_alt":
        actions.photo_update(by=by, photo=_photo(request, meeting), alt_text=request.POST.get("alt_text", ""))
        messages.success(request, _("Saved."))
    elif command == "photo_delete":
        actions.photo_delete(by=by, photo=_photo(request, meeting))
        messages.success(request, _("The photo is deleted."))
    elif command == "attachment":
        form = forms.AttachmentForm(request.POST, request.FILES)
        if not form.is_valid():
            raise ValidationError(_errors(form))
        upload = form.cleaned_data["file"]
        actions.attachment_add(by=by, meeting=meeting, filename=upload.name, data=read_upload(upload),
                               kind=form.cleaned_data["kind"], title=form.cleaned_data["title"],
                               is_public=form.cleaned_data["is_public"])
        messages.success(request, _("The file is attached."))
    elif command == "attachment_public":
        actions.publish(by=by, obj=_attachment(request, meeting), public=request.POST.get("public") == "1")
        messages.success(request, _("Saved."))
    elif command == "attachment_delete":
        actions.attachment_delete(by=by, attachment=_attachment(request, meeting))
        messages.success(request, _("The file is deleted."))
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


def _part_page(request: HttpRequest, meeting_id: int, *, action: str, load: Callable[[Any, Meeting, int], Any],
               part_id: int, form_class: Any, initial: Callable[[Any], dict[str, Any]],
               save: Callable[[Any, dict[str, Any]], Any], title: str) -> HttpResponse:
    _require_coordinator(request, action)
    meeting = queries.meeting_for(request.user, meeting_id)
    part = load(request.user, meeting, part_id)
    form = form_class(request.POST or None, initial=initial(part))
    if request.method == "POST" and form.is_valid():
        try:
            save(part, form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, " ".join(exc.messages))
        else:
            messages.success(request, _("Saved."))
            return redirect("engagement:meeting", meeting_id=meeting.pk)
    return _form_page(request, form, title=title, back="engagement:meeting", extra={"back_id": meeting.pk})


@login_required
@require_http_methods(["GET", "POST"])
def participant_view(request: HttpRequest, meeting_id: int, participant_id: int) -> HttpResponse:
    return _part_page(
        request, meeting_id, action="meeting.participant_update", load=queries.participant_for,
        part_id=participant_id, form_class=forms.ParticipantForm, title=_("Edit a participant"),
        initial=lambda p: {"organisation": p.organisation, "person_name": p.person_name,
                           "person_title": p.person_title, "guest_affiliation": p.guest_affiliation},
        save=lambda p, data: actions.participant_update(by=request.user, participant=p, **data))


@login_required
@require_http_methods(["GET", "POST"])
def decision_view(request: HttpRequest, meeting_id: int, decision_id: int) -> HttpResponse:
    return _part_page(
        request, meeting_id, action="meeting.decision_update", load=queries.decision_for,
        part_id=decision_id, form_class=forms.DecisionForm, title=_("Edit a decision"),
        initial=lambda d: {"text": d.text, "responsible": d.responsible, "due_on": d.due_on},
        save=lambda d, data: actions.decision_update(by=request.user, decision=d, **data))


def _photo_response(photo: Photo, kind: str) -> FileResponse:
    name = photo.thumbnail if kind == "thumb" else photo.image
    content_type = "image/jpeg" if kind == "thumb" else photo.content_type
    response = FileResponse(default_storage.open(name, "rb"), content_type=content_type)
    response["Cache-Control"] = "private, max-age=3600"
    return response


@login_required
def photo_view(request: HttpRequest, photo_id: int, kind: str) -> FileResponse:
    return _photo_response(queries.photo_for(request.user, photo_id, kind=kind), kind)


def public_photo_view(request: HttpRequest, photo_id: int, kind: str) -> FileResponse:
    response = _photo_response(queries.photo_for(None, photo_id, public=True, kind=kind), kind)
    response["Cache-Control"] = "public, max-age=3600"
    return response


def _file_response(attachment: MeetingAttachment, content: bytes, cache: str) -> HttpResponse:
    return file_download(content, content_type=attachment.content_type, filename=attachment.filename, cache=cache)


@login_required
def attachment_view(request: HttpRequest, attachment_id: int) -> HttpResponse:
    attachment = queries.attachment_for(request.user, attachment_id)
    return _file_response(attachment, queries.attachment_content(request.user, attachment), "private, no-store")


def public_attachment_view(request: HttpRequest, attachment_id: int) -> HttpResponse:
    attachment = queries.attachment_for(None, attachment_id, public=True)
    return _file_response(attachment, queries.attachment_content(None, attachment, public=True),
                          "public, max-age=3600")


# --- proposals -----------------------------------------------------------------------------------
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
    initial = {"measures": list(proposal.measures.all())}
    if request.method == "POST":
        try:
            if request.POST.get("command") == "measures":
                measures_form = forms.ProposalMeasuresForm(request.POST)
                if not measures_form.is_valid():
                    raise ValidationError(_errors(measures_form))
                actions.proposal_link_measures(by=request.user, proposal=proposal,
                                               measures=measures_form.cleaned_data["measures"])
            else:
                form = forms.ProposalResponseForm(request.POST, proposal=proposal)
                if not form.is_valid():
                    raise ValidationError(_errors(form))
                # The form shows the measures linked now, so what it posts is the whole new set: a
                # browser sends no "measures" at all when every one is deselected, which unlinks them.
                actions.proposal_respond(by=request.user, proposal=proposal, **form.cleaned_data)
            messages.success(request, _("Saved."))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        return redirect("engagement:proposal", proposal_id=proposal.pk)
    can_answer = access.can_answer_proposal(request.user, proposal.addressed_to_id)
    return render(request, "engagement/proposal.html", {
        "proposal": proposal, "can_answer": can_answer,
        "form": (forms.ProposalResponseForm(initial=initial, proposal=proposal, auto_id="answer_%s")
                 if can_answer and not proposal.is_final else None),
        "measures_form": (forms.ProposalMeasuresForm(initial=initial, auto_id="measures_%s")
                          if can_answer and proposal.is_final else None)})


# --- campaigns -----------------------------------------------------------------------------------
def _year(request: HttpRequest) -> int | None:
    text = request.GET.get("year", "")
    return int(text) if text.isdigit() and 1900 <= int(text) <= 2999 else None


@login_required
def campaign_list_view(request: HttpRequest) -> HttpResponse:
    year = _year(request)
    campaigns = queries.campaigns_visible_to(request.user, year=year)
    return render(request, "engagement/campaign_list.html", {
        "campaigns": campaigns, "year": year, "years": queries.campaign_years(request.user),
        "reach": queries.reach_totals(year=year),
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
    messages.success(request, _("The campaign is created. It is not on the public portal until you publish it."))
    return redirect("engagement:campaign", campaign_id=campaign.pk)


def _campaign_initial(campaign: Campaign) -> dict[str, Any]:
    return {"title": campaign.title, "starts_on": campaign.starts_on, "ends_on": campaign.ends_on,
            "organisers": list(campaign.organisers.all()), "target_groups": campaign.target_groups,
            "channels": campaign.channels, "regions": campaign.regions, "description": campaign.description,
            "materials": campaign.materials}


@login_required
@require_http_methods(["GET", "POST"])
def campaign_view(request: HttpRequest, campaign_id: int) -> HttpResponse:
    campaign = queries.campaign_for(request.user, campaign_id)
    form = forms.CampaignEventForm(request.POST or None)
    if request.method == "POST":
        command = request.POST.get("command", "event")
        try:
            if command == "event":
                if not form.is_valid():
                    raise ValidationError(_errors(form))
                actions.campaign_event_add(by=request.user, campaign=campaign, **form.cleaned_data)
                messages.success(request, _("The event is added."))
            elif command == "event_delete":
                event = queries.campaign_event_for(request.user, campaign, _posted_id(request, "event"))
                actions.campaign_event_delete(by=request.user, event=event)
                messages.success(request, _("The event is deleted."))
            elif command == "publish":
                public = request.POST.get("public") == "1"
                actions.publish(by=request.user, obj=campaign, public=public)
                messages.success(request, _("The campaign is on the public portal.") if public
                                 else _("The campaign is no longer on the public portal."))
            else:
                raise Http404
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        return redirect("engagement:campaign", campaign_id=campaign.pk)
    return render(request, "engagement/campaign.html", {
        "campaign": campaign, "events": campaign.events.all(), "form": form,
        "labels": queries.campaign_labels(campaign),
        "reach": queries.reach_totals(Campaign.objects.filter(pk=campaign.pk)),
        "can_manage": access.can_manage_engagement(request.user)})


@login_required
@require_http_methods(["GET", "POST"])
def campaign_edit_view(request: HttpRequest, campaign_id: int) -> HttpResponse:
    _require_coordinator(request, "campaign.update")
    campaign = queries.campaign_for(request.user, campaign_id)
    form = forms.CampaignForm(request.POST or None, initial=_campaign_initial(campaign))
    if request.method == "POST" and form.is_valid():
        try:
            actions.campaign_update(by=request.user, campaign=campaign, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, " ".join(exc.messages))
        else:
            messages.success(request, _("Saved."))
            return redirect("engagement:campaign", campaign_id=campaign.pk)
    return _form_page(request, form, title=_("Edit the campaign"), back="engagement:campaign",
                      extra={"back_id": campaign.pk, "wide": True})


@login_required
@require_http_methods(["GET", "POST"])
def campaign_event_view(request: HttpRequest, campaign_id: int, event_id: int) -> HttpResponse:
    _require_coordinator(request, "campaign.event_update")
    campaign = queries.campaign_for(request.user, campaign_id)
    event = queries.campaign_event_for(request.user, campaign, event_id)
    form = forms.CampaignEventForm(request.POST or None, initial={
        "held_on": event.held_on, "place": event.place, "region": event.region, "target_group": event.target_group,
        "channel": event.channel, "people_reached": event.people_reached})
    if request.method == "POST" and form.is_valid():
        try:
            actions.campaign_event_update(by=request.user, event=event, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, " ".join(exc.messages))
        else:
            messages.success(request, _("Saved."))
            return redirect("engagement:campaign", campaign_id=campaign.pk)
    return _form_page(request, form, title=_("Edit an event"), back="engagement:campaign",
                      extra={"back_id": campaign.pk})


# --- public --------------------------------------------------------------------------------------
def public_meetings_view(request: HttpRequest) -> HttpResponse:
    return render(request, "engagement/public_meetings.html", {
        "meetings": queries.meetings_visible_to(None, public=True)[:100]})


def public_meeting_view(request: HttpRequest, meeting_id: int) -> HttpResponse:
    return render(request, "engagement/public_meeting.html", {
        "meeting": queries.meeting_for(None, meeting_id, public=True)})


def public_campaigns_view(request: HttpRequest) -> HttpResponse:
    campaigns = queries.campaigns_visible_to(None, public=True)
    past = campaigns.filter(ends_on__lt=timezone.localdate())
    upcoming = [(c, queries.campaign_labels(c)) for c in queries.upcoming_campaigns()]
    return render(request, "engagement/public_campaigns.html", {
        "upcoming": upcoming, "campaigns": past[:100], "reach": queries.reach_totals(campaigns)})


def public_campaign_view(request: HttpRequest, campaign_id: int) -> HttpResponse:
    campaign = queries.campaign_for(None, campaign_id, public=True)
    return render(request, "engagement/public_campaign.html", {
        "campaign": campaign, "events": campaign.events.all(), "labels": queries.campaign_labels(campaign),
        "reach": queries.reach_totals(Campaign.objects.filter(pk=campaign.pk))})
