"""The support of the person: services, follow-ups, reintegration assessments, support plans,
historic trafficking events, notes, attachments and the person's photo."""

from __future__ import annotations

import datetime as dt
import secrets
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from korpu.accounts.models import Organisation, user_of
from korpu.cases import attachments, choices, queries
from korpu.cases.actions._common import _acting_organisation, _require_section, _validate_countries
from korpu.cases.models import (
    Attachment,
    Case,
    FollowUp,
    Note,
    ReintegrationAssessment,
    Section,
    Service,
    SupportPlan,
    TraffickingEvent,
)
from korpu.core import audit, crypto
from korpu.core.access import Actor
from korpu.core.uploads import checked_file


# --- services, follow-up, reintegration, support plans --------------------------------------------
def service_record(*, by: Actor, case: Case, service_type: str, provider: Organisation | None = None,
                   planned_on: dt.date | None = None, delivered_on: dt.date | None = None,
                   outcome: str = Service.Outcome.PLANNED, amount: Decimal | None = None, notes: str = "") -> Service:
    """A service of the case's plan; the provider may be another organisation (by default the recorder's)."""
    _require_section(by, case, Section.SERVICES, "service.create")
    organisation = _acting_organisation(by, case, action="service.create")
    if service_type not in choices.ServiceType.values:
        raise ValidationError(_("Choose a service."))
    if outcome not in Service.Outcome.values:
        raise ValidationError(_("Choose an outcome."))
    if provider is not None and not provider.is_active:
        raise ValidationError(_("That organisation is not active."))
    if delivered_on and delivered_on > timezone.localdate():
        raise ValidationError(_("A delivery date cannot be in the future."))
    if service_type == choices.ServiceType.FINANCIAL:
        if case.trafficking_status != choices.TraffickingStatus.ACTUAL:
            raise ValidationError(_("The one-time state allowance is available only to officially recognised victims."))
        if Service.objects.filter(case=case, service_type=choices.ServiceType.FINANCIAL, amount__isnull=False).exists():
            raise ValidationError(_("The one-time state allowance was already recorded for this case."))
        amount = Decimal(settings.STATE_ALLOWANCE_AZN) if amount is None else amount
    with transaction.atomic():
        service = Service.objects.create(case=case, data_key=case.data_key, service_type=service_type,
                                         provider=provider or organisation, planned_on=planned_on,
                                         delivered_on=delivered_on,
                                         outcome=Service.Outcome.DELIVERED if delivered_on else outcome,
                                         amount=amount, notes=notes.strip(), recorded_by=user_of(by))
        audit.record("service.create", obj=service, actor=by, details={"case": case.pk, "type": service_type})
    return service


def service_deliver(*, by: Actor, service: Service, delivered_on: dt.date | None = None, notes: str = "") -> Service:
    """Mark a planned service delivered (today unless a date is given)."""
    _require_section(by, service.case, Section.SERVICES, "service.deliver")
    delivered_on = delivered_on or timezone.localdate()
    if delivered_on > timezone.localdate():
        raise ValidationError(_("A delivery date cannot be in the future."))
    if service.outcome != Service.Outcome.PLANNED:
        raise ValidationError(_("Only a planned service can be marked delivered."))
    with transaction.atomic():
        service.delivered_on = delivered_on
        service.outcome = Service.Outcome.DELIVERED
        if notes.strip():
            service.notes = notes.strip()
        service.save(update_fields=["delivered_on", "outcome", "notes"])
        audit.record("service.deliver", obj=service, actor=by, details={"case": service.case_id})
    return service


def follow_up_schedule(*, by: Actor, case: Case, due_on: dt.date, notes: str = "") -> FollowUp:
    _require_section(by, case, Section.SERVICES, "follow_up.create")
    organisation = _acting_organisation(by, case, action="follow_up.create")
    with transaction.atomic():
        follow_up = FollowUp.objects.create(case=case, data_key=case.data_key, organisation=organisation,
                                            due_on=due_on, notes=notes.strip(), created_by=user_of(by))
        audit.record("follow_up.create", obj=follow_up, actor=by, details={"case": case.pk})
    return follow_up


def follow_up_done(*, by: Actor, follow_up: FollowUp, done_on: dt.date | None = None, notes: str = "") -> FollowUp:
    _require_section(by, follow_up.case, Section.SERVICES, "follow_up.done")
    done_on = done_on or timezone.localdate()
    if done_on > timezone.localdate():
        raise ValidationError(_("The date cannot be in the future."))
    if follow_up.done_on is not None:
        raise ValidationError(_("This follow-up is already done."))
    with transaction.atomic():
        follow_up.done_on = done_on
        if notes.strip():
            follow_up.notes = notes.strip()
        follow_up.save(update_fields=["done_on", "notes"])
        audit.record("follow_up.done", obj=follow_up, actor=by, details={"case": follow_up.case_id})
    return follow_up


def assessment_record(*, by: Actor, case: Case, level: str, assessed_on: dt.date | None = None,
                      housing_stable: bool = False, income: bool = False, family_support: bool = False,
                      notes: str = "") -> ReintegrationAssessment:
    _require_section(by, case, Section.SERVICES, "assessment.create")
    if level not in ReintegrationAssessment.Level.values:
        raise ValidationError(_("Choose a level."))
    if assessed_on and assessed_on > timezone.localdate():
        raise ValidationError(_("The date cannot be in the future."))
    with transaction.atomic():
        assessment = ReintegrationAssessment.objects.create(
            case=case, data_key=case.data_key, level=level, assessed_on=assessed_on or timezone.localdate(),
            housing_stable=housing_stable, income=income, family_support=family_support, notes=notes.strip(),
            assessed_by=user_of(by))
        audit.record("assessment.create", obj=assessment, actor=by, details={"case": case.pk, "level": level})
    return assessment


def support_plan_create(*, by: Actor, case: Case, plan_type: str, objectives: str, action_plan: str = "",
                        planned_end: dt.date | None = None) -> SupportPlan:
    """An HTCDS support plan: its type, objectives, actions and planned end (the ``services`` section)."""
    _require_section(by, case, Section.SERVICES, "support_plan.create")
    organisation = _acting_organisation(by, case, action="support_plan.create")
    if plan_type not in choices.SupportPlanType.values:
        raise ValidationError(_("Choose the type of support."))
    if not objectives.strip():
        raise ValidationError(_("Write the objectives of the plan."))
    with transaction.atomic():
        plan = SupportPlan.objects.create(case=case, data_key=case.data_key, organisation=organisation,
                                          plan_type=plan_type, objectives=objectives.strip(),
                                          action_plan=action_plan.strip(), planned_end=planned_end,
                                          created_by=user_of(by))
        audit.record("support_plan.create", obj=plan, actor=by, details={"case": case.pk, "type": plan_type})
    return plan


def support_plan_end(*, by: Actor, plan: SupportPlan, actual_end: dt.date | None = None) -> SupportPlan:
    """Record the day a support plan actually ended."""
    _require_section(by, plan.case, Section.SERVICES, "support_plan.end")
    actual_end = actual_end or timezone.localdate()
    if actual_end > timezone.localdate():
        raise ValidationError(_("The date cannot be in the future."))
    if actual_end < timezone.localtime(plan.created_at).date():
        raise ValidationError(_("A plan cannot end before it was made."))
    if plan.actual_end is not None:
        raise ValidationError(_("This plan has already ended."))
    with transaction.atomic():
        plan.actual_end = actual_end
        plan.save(update_fields=["actual_end"])
        audit.record("support_plan.end", obj=plan, actor=by, details={"case": plan.case_id})
    return plan


def trafficking_event_record(*, by: Actor, case: Case, event_type: str, occurred_on: dt.date | None = None,
                             country: str = "", region: str = "", city: str = "", street: str = "",
                             postal_code: str = "", description: str = "") -> TraffickingEvent:
    """An HTCDS historic trafficking event: recruitment, transit or exploitation, where and when."""
    _require_section(by, case, Section.IDENTITY, "trafficking_event.create")
    organisation = _acting_organisation(by, case, action="trafficking_event.create")
    if event_type not in choices.TraffickingEventType.values:
        raise ValidationError(_("Choose what happened."))
    if occurred_on and occurred_on > timezone.localdate():
        raise ValidationError(_("The date cannot be in the future."))
    country = _validate_countries([country], _("Country"))[0] if country and country.strip() else ""
    if not (country or city.strip() or region.strip() or description.strip()):
        raise ValidationError(_("Say at least where it happened or describe it."))
    with transaction.atomic():
        event = TraffickingEvent.objects.create(
            case=case, data_key=case.data_key, organisation=organisation, event_type=event_type,
            occurred_on=occurred_on, country=country, region=region.strip(), city=city.strip(),
            street=street.strip(), postal_code=postal_code.strip(), description=description.strip(),
            recorded_by=user_of(by))
        audit.record("trafficking_event.create", obj=event, actor=by, details={"case": case.pk, "type": event_type})
    return event


def note_add(*, by: Actor, case: Case, text: str) -> Note:
    _require_section(by, case, Section.NOTES, "note.create")
    organisation = _acting_organisation(by, case, action="note.create")
    if not text.strip():
        raise ValidationError(_("The note is empty."))
    if len(text) > 20000:
        raise ValidationError(_("A note is at most 20,000 characters."))
    with transaction.atomic():
        note = Note.objects.create(case=case, data_key=case.data_key, organisation=organisation, author=user_of(by),
                                   text=text.strip())
        audit.record("note.create", obj=note, actor=by, details={"case": case.pk})
    return note


# --- attachments and the person's photo -------------------------------------------------------------
def attachment_add(*, by: Actor, case: Case, filename: str, data: bytes) -> Attachment:
    if Section.NOTES not in queries.sections_for(by, case):
        audit.denied("attachment.create", obj=case, actor=by)
        raise ValidationError(_("You are not allowed to do this."))
    organisation = _acting_organisation(by, case, action="attachment.create")
    safe_name, content_type = checked_file(filename, data)
    storage_name = f"attachments/{secrets.token_hex(16)}.bin"
    sealed = crypto.seal_bytes(data, key_uuid=case.data_key_id, context=attachments.ATTACHMENT_CONTEXT)
    with transaction.atomic():
        stored = default_storage.save(storage_name, ContentFile(sealed))
        try:
            attachment = Attachment.objects.create(case=case, data_key=case.data_key, organisation=organisation,
                                                   uploaded_by=user_of(by), filename=safe_name,
                                                   content_type=content_type, size=len(data), storage_name=stored)
            audit.record("attachment.create", obj=attachment, actor=by, details={"case": case.pk, "size": len(data)})
        except Exception:
            default_storage.delete(stored)
            raise
    return attachment


def person_photo_set(*, by: Actor, case: Case, filename: str, data: bytes) -> Case:
    """Store (or replace) the person's photo: a JPEG, PNG or WebP checked by content, stripped of its
    metadata and sealed under the person's data key, like an attachment. Needs the identity section."""
    if Section.IDENTITY not in queries.sections_for(by, case):
        audit.denied("person.photo", obj=case, actor=by)
        raise ValidationError(_("You are not allowed to do this."))
    _acting_organisation(by, case, action="person.photo")
    _name, content_type = checked_file(filename, data)
    if content_type not in attachments.PHOTO_TYPES:
        raise ValidationError(_("Upload a JPEG, PNG or WebP photo."))
    picture = attachments.clean_photo(data, content_type)
    person = case.person
    sealed = crypto.seal_bytes(picture, key_uuid=person.data_key_id, context=attachments.PHOTO_CONTEXT)
    old = person.photo_storage_name
    with transaction.atomic():
        stored = default_storage.save(f"photos/{secrets.token_hex(16)}.bin", ContentFile(sealed))
        try:
            person.photo_storage_name = stored
            person.photo_content_type = content_type
            person.save(update_fields=["photo_storage_name", "photo_content_type"])
            audit.record("person.photo", obj=person, actor=by, details={"case": case.pk, "size": len(picture)})
        except Exception:
            default_storage.delete(stored)
            raise
        if old:
            transaction.on_commit(lambda: default_storage.delete(old))
    return case
