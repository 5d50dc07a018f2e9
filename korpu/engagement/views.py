"""Coalition pages: members and their contact people, meetings (with agenda, participants, decisions,
photos and files), proposals, campaigns; and the public pages of meetings and campaigns."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from korpu.core import access
from korpu.core import filters as core_filters
from korpu.core.downloads import file_download
from korpu.core.uploads import read_upload
from korpu.core.views import form_page
from korpu.engagement import actions, forms, queries
from korpu.engagement.filters import CampaignFilter, ProposalFilter
from korpu.engagement.models import Campaign, MeetingAttachment, Photo

SAVED = gettext_lazy("Saved.")


def _errors(form: Any) -> str:
    return "; ".join(" ".join(e) for e in form.errors.values())


def _require_coordinator(request: HttpRequest, action: str) -> None:
    """A management page: other users get the same 404 as for a missing page, and a denied event."""
    access.require(access.can_manage_engagement(request.user), action=action, user=request.user)


# One form on its own page (a new member, a contact person, the facts of a meeting or a campaign, a
# participant, a decision, an event): ``korpu.core.views.form_page`` in the coalition's layout.
_form_page = partial(form_page, template="engagement/form_page.html", success=SAVED)


def _back(name: str, *args: Any) -> tuple[str, str]:
    """Where the page's "Cancel" goes."""
    return reverse(name, args=args), ""


@dataclass(frozen=True)
class Posted:
    """What a page's command works on: the request, the page's object (a meeting or a campaign) and the
    data of the command's form once it is valid."""

    request: HttpRequest
    obj: Any
    data: dict[str, Any]

    @property
    def by(self) -> Any:
        return self.request.user

    def text(self, name: str) -> str:
        return self.request.POST.get(name, "")

    def public(self) -> bool:
        return self.request.POST.get("public") == "1"

    def posted_id(self, name: str) -> int:
        return _posted_id(self.request, name)


@dataclass(frozen=True)
class Command:
    """One command of a page's POST: the form that checks what is posted (``None``: the action checks the
    raw fields itself), the action call, and the message on success (``message`` when it depends on
    what was posted)."""

    act: Callable[[Posted], object]
    form: Any = None
    success: str | Promise | None = None
    message: Callable[[Posted], str] | None = None


def _run_command(request: HttpRequest, commands: dict[str, Command], obj: Any, command: str) -> None:
    """Run one command of ``commands`` (an unknown one is a 404); a refused form or action raises
    ``ValidationError`` for the page to show."""
    entry = commands.get(command)
    if entry is None:
        raise Http404
    data: dict[str, Any] = {}
    if entry.form is not None:
        form = entry.form(request.POST or None, request.FILES or None)
        if not form.is_valid():
            raise ValidationError(_errors(form))
        data = form.cleaned_data
    posted = Posted(request, obj, data)
    entry.act(posted)
    text = entry.message(posted) if entry.message is not None else entry.success
    if text:
        messages.success(request, str(text))


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
    return _form_page(
        request, form, lambda: actions.member_save(by=request.user, **form.cleaned_data),
        title=_("New coalition member"), back=_back("engagement:coalition"), success=_("The member is saved."),
        then=lambda member: reverse("engagement:member", args=[member.pk]))


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
    return _form_page(
        request, form, lambda: actions.contact_save(by=request.user, member=member, contact=contact,
                                                    **form.cleaned_data),
        title=_("Contact person of %(member)s") % {"member": member.organisation.name},
        back=_back("engagement:member", member.pk), then=reverse("engagement:member", args=[member.pk]))


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

    def perform() -> Any:
        data = form.cleaned_data
        return actions.meeting_create(by=request.user, **{**data, "agenda": data["agenda"].splitlines()})

    return _form_page(request, form, perform, template="engagement/meeting_form.html", success=None,
                      then=lambda meeting: reverse("engagement:meeting", args=[meeting.pk]))


@login_required
@require_http_methods(["GET", "POST"])
def meeting_edit_view(request: HttpRequest, meeting_id: int) -> HttpResponse:
    """Correct the meeting's title, date, place and organiser."""
    _require_coordinator(request, "meeting.update")
    meeting = queries.meeting_for(request.user, meeting_id)
    form = forms.MeetingEditForm(request.POST or None, initial={
        "title": meeting.title, "held_on": meeting.held_on, "place": meeting.place, "organiser": meeting.organiser})
    return _form_page(
        request, form, lambda: actions.meeting_update(by=request.user, meeting=meeting, **form.cleaned_data),
        title=_("Edit the meeting"), back=_back("engagement:meeting", meeting.pk),
        extra={"testid": "meeting-edit-form"}, then=reverse("engagement:meeting", args=[meeting.pk]))


@login_required
@require_http_methods(["GET", "POST"])
def meeting_view(request: HttpRequest, meeting_id: int) -> HttpResponse:
    meeting = queries.meeting_for(request.user, meeting_id)
    if request.method == "POST":
        try:
            _run_command(request, MEETING_COMMANDS, meeting, request.POST.get("command", ""))
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


def _item(p: Posted) -> Any:
    return queries.agenda_item_for(p.by, p.obj, p.posted_id("item"))


def _participant(p: Posted) -> Any:
    return queries.participant_for(p.by, p.obj, p.posted_id("participant"))


def _decision(p: Posted) -> Any:
    return queries.decision_for(p.by, p.obj, p.posted_id("decision"))


def _photo(p: Posted) -> Any:
    return queries.meeting_photo_for(p.by, p.obj, p.posted_id("photo"))


def _attachment(p: Posted) -> Any:
    return queries.meeting_attachment_for(p.by, p.obj, p.posted_id("attachment"))


def _attach(p: Posted) -> object:
    upload = p.data["file"]
    return actions.attachment_add(by=p.by, meeting=p.obj, filename=upload.name, data=read_upload(upload),
                                  kind=p.data["kind"], title=p.data["title"], is_public=p.data["is_public"])


# Every command the meeting page posts (``command``), with its form, its action and its message. The
# JSON API calls the same actions: see korpu/engagement/api.py.
MEETING_COMMANDS: dict[str, Command] = {
    "agenda": Command(lambda p: actions.agenda_add(by=p.by, meeting=p.obj, text=p.text("text"))),
    "agenda_update": Command(lambda p: actions.agenda_update(by=p.by, item=_item(p), text=p.text("text")),
                             success=SAVED),
    "agenda_remove": Command(lambda p: actions.agenda_remove(by=p.by, item=_item(p)),
                             success=gettext_lazy("The agenda item is removed.")),
    "participant": Command(lambda p: actions.participant_add(by=p.by, meeting=p.obj, **p.data),
                           form=forms.ParticipantForm, success=gettext_lazy("The participant is added.")),
    "participant_remove": Command(lambda p: actions.participant_remove(by=p.by, participant=_participant(p)),
                                  success=gettext_lazy("The participant is removed.")),
    "decision": Command(lambda p: actions.decision_add(by=p.by, meeting=p.obj, **p.data),
                        form=forms.DecisionForm, success=gettext_lazy("The decision is recorded.")),
    "decision_done": Command(lambda p: actions.decision_done(by=p.by, decision=_decision(p))),
    "decision_remove": Command(lambda p: actions.decision_remove(by=p.by, decision=_decision(p)),
                               success=gettext_lazy("The decision is removed.")),
    "photo": Command(lambda p: actions.photo_add(by=p.by, meeting=p.obj,
                                                 data=read_upload(p.data["image"], photo=True),
                                                 alt_text=p.data["alt_text"], is_public=p.data["is_public"]),
                     form=forms.PhotoForm,
                     success=gettext_lazy("The photo is added; its location and camera data were removed.")),
    "photo_public": Command(lambda p: actions.publish(by=p.by, obj=_photo(p), public=p.public())),
    "photo_alt": Command(lambda p: actions.photo_update(by=p.by, photo=_photo(p), alt_text=p.text("alt_text")),
                         success=SAVED),
    "photo_delete": Command(lambda p: actions.photo_delete(by=p.by, photo=_photo(p)),
                            success=gettext_lazy("The photo is deleted.")),
    "attachment": Command(_attach, form=forms.AttachmentForm, success=gettext_lazy("The file is attached.")),
    "attachment_public": Command(lambda p: actions.publish(by=p.by, obj=_attachment(p), public=p.public()),
                                 success=SAVED),
    "attachment_delete": Command(lambda p: actions.attachment_delete(by=p.by, attachment=_attachment(p)),
                                 success=gettext_lazy("The file is deleted.")),
    "proposal": Command(lambda p: actions.proposal_create(by=p.by, meeting=p.obj, **p.data),
                        form=forms.ProposalForm, success=gettext_lazy("The proposal is recorded.")),
    "publish": Command(lambda p: actions.publish(by=p.by, obj=p.obj, public=p.public()), success=SAVED),
    "minutes": Command(lambda p: actions.meeting_update(by=p.by, meeting=p.obj, minutes=p.text("minutes"),
                                                        summary=p.text("summary")), success=SAVED),
}


def _part_page(request: HttpRequest, meeting_id: int, *, action: str, load: Callable[[Any, Any, int], Any],
               part_id: int, form_class: Any, initial: Callable[[Any], dict[str, Any]],
               save: Callable[[Any, dict[str, Any]], Any], title: str) -> HttpResponse:
    """A participant's or a decision's own form page (the coordinator's), back to the meeting."""
    _require_coordinator(request, action)
    meeting = queries.meeting_for(request.user, meeting_id)
    part = load(request.user, meeting, part_id)
    form = form_class(request.POST or None, initial=initial(part))
    return _form_page(request, form, lambda: save(part, form.cleaned_data), title=title,
                      back=_back("engagement:meeting", meeting.pk),
                      then=reverse("engagement:meeting", args=[meeting.pk]))


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
    """Proposals filtered and sorted by ``ProposalFilter`` (the API's list binds the same one)."""
    listed = core_filters.bound(ProposalFilter, request.GET, queryset=queries.proposals_visible_to(request.user))
    return render(request, "engagement/proposal_list.html", {
        "proposals": listed.qs[:300], "filter_form": listed.form, "form": forms.ProposalForm(),
        "sort": core_filters.sort_links(listed, request.GET), "sort_value": core_filters.sort_key(listed)})


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
@login_required
def campaign_list_view(request: HttpRequest) -> HttpResponse:
    """Campaigns filtered (the year they run in) and sorted by ``CampaignFilter``, as in the API; an
    invalid year is ignored. The reach counts the events held in that year."""
    listed = core_filters.bound(CampaignFilter, request.GET, queryset=queries.campaigns_visible_to(request.user))
    year = core_filters.applied(listed).get("year")
    year = int(year) if year is not None else None
    return render(request, "engagement/campaign_list.html", {
        "campaigns": listed.qs, "year": year, "years": queries.campaign_years(request.user),
        "sort": core_filters.sort_links(listed, request.GET), "sort_value": core_filters.sort_key(listed),
        "reach": queries.reach_visible_to(request.user, year=year),
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


def _campaign_event(p: Posted) -> Any:
    return queries.campaign_event_for(p.by, p.obj, p.posted_id("event"))


# Every command the campaign page posts (``command``, "event" when none is posted).
CAMPAIGN_COMMANDS: dict[str, Command] = {
    "event": Command(lambda p: actions.campaign_event_add(by=p.by, campaign=p.obj, **p.data),
                     form=forms.CampaignEventForm, success=gettext_lazy("The event is added.")),
    "event_delete": Command(lambda p: actions.campaign_event_delete(by=p.by, event=_campaign_event(p)),
                            success=gettext_lazy("The event is deleted.")),
    "publish": Command(lambda p: actions.publish(by=p.by, obj=p.obj, public=p.public()),
                       message=lambda p: _("The campaign is on the public portal.") if p.public()
                       else _("The campaign is no longer on the public portal.")),
}


def _campaign_initial(campaign: Campaign) -> dict[str, Any]:
    return {"title": campaign.title, "starts_on": campaign.starts_on, "ends_on": campaign.ends_on,
            "organisers": list(campaign.organisers.all()), "target_groups": campaign.target_groups,
            "channels": campaign.channels, "regions": campaign.regions, "description": campaign.description,
            "materials": campaign.materials}


@login_required
@require_http_methods(["GET", "POST"])
def campaign_view(request: HttpRequest, campaign_id: int) -> HttpResponse:
    campaign = queries.campaign_for(request.user, campaign_id)
    if request.method == "POST":
        try:
            _run_command(request, CAMPAIGN_COMMANDS, campaign, request.POST.get("command", "event"))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        return redirect("engagement:campaign", campaign_id=campaign.pk)
    return render(request, "engagement/campaign.html", {
        "campaign": campaign, "events": campaign.events.all(), "form": forms.CampaignEventForm(),
        "labels": queries.campaign_labels(campaign),
        "reach": queries.reach_visible_to(request.user, campaign=campaign),
        "can_manage": access.can_manage_engagement(request.user)})


@login_required
@require_http_methods(["GET", "POST"])
def campaign_edit_view(request: HttpRequest, campaign_id: int) -> HttpResponse:
    _require_coordinator(request, "campaign.update")
    campaign = queries.campaign_for(request.user, campaign_id)
    form = forms.CampaignForm(request.POST or None, initial=_campaign_initial(campaign))
    return _form_page(
        request, form, lambda: actions.campaign_update(by=request.user, campaign=campaign, **form.cleaned_data),
        title=_("Edit the campaign"), back=_back("engagement:campaign", campaign.pk), extra={"wide": True},
        then=reverse("engagement:campaign", args=[campaign.pk]))


@login_required
@require_http_methods(["GET", "POST"])
def campaign_event_view(request: HttpRequest, campaign_id: int, event_id: int) -> HttpResponse:
    _require_coordinator(request, "campaign.event_update")
    campaign = queries.campaign_for(request.user, campaign_id)
    event = queries.campaign_event_for(request.user, campaign, event_id)
    form = forms.CampaignEventForm(request.POST or None, initial={
        "held_on": event.held_on, "place": event.place, "region": event.region, "target_group": event.target_group,
        "channel": event.channel, "people_reached": event.people_reached})
    return _form_page(
        request, form, lambda: actions.campaign_event_update(by=request.user, event=event, **form.cleaned_data),
        title=_("Edit an event"), back=_back("engagement:campaign", campaign.pk),
        then=reverse("engagement:campaign", args=[campaign.pk]))


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
        "reach": queries.reach_visible_to(None, public=True, campaign=campaign)})
