"""The coalition activity report for a period, as PDF (Typst) and XLSX (openpyxl), in az, ru or en.

What it holds: the meetings held in the period (organiser, participants, decisions made and done);
the proposals made in the period, counted by status and listed with the plan measures they fed; the
campaigns that overlap the period with the events held in it and the people reached by region and
target group; and, from the case records, for each current coalition member: the referrals it
received and the services it delivered in the period, by type.

Victim data never leaves as anything but counts: no names, no case numbers, no dates of a case. The
member counts pass through :mod:`korpu.core.disclosure` (``"<5"`` for 1–4, ``"x"`` for a cell hidden
so that another cannot be recomputed from the row total). Raw counts are not put into the data the
template or the workbook sees.

Dates: a meeting counts on the day it was held; a proposal on the day of the meeting it was raised
at, else on the day it was recorded; a referral on the day it was created (in ``TIME_ZONE``); a
service on the day it was delivered; a campaign counts when its dates overlap the period, and only
its events held in the period count towards the reach. Statuses of proposals and decisions are as
of the day the report is generated (the report says so).

Labels: the texts of this report are in the message catalogue (``TEXTS`` holds the English source
strings, rendered under ``translation.override`` in the report's language); statuses, regions,
target groups and service types are the models' own choice labels. The PDF is
rendered by :mod:`korpu.core.documents` (as the plan report is): data as JSON beside a copy of
``templates_typst/activity.typ``, the kernel's fonts, strings inserted as text.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from pathlib import Path
from typing import Any

import openpyxl
from django.db.models import Count, DateField, Q, Sum
from django.db.models.functions import Coalesce, TruncDate
from django.utils import formats, timezone, translation
from django.utils.translation import gettext_lazy as _
from openpyxl.styles import Alignment, Font

from korpu.accounts.models import Membership, Role
from korpu.cases.choices import ServiceType
from korpu.cases.models import Referral
from korpu.cases.models import Service as CaseService
from korpu.core import disclosure, documents
from korpu.core.sheets import xlsx as sheets
from korpu.engagement.models import REGIONS, Campaign, CampaignEvent, Meeting, Member, Proposal, TargetGroup

TEMPLATE = Path(__file__).resolve().parent / "templates_typst" / "activity.typ"
LANGUAGES = ("az", "ru", "en")
XLSX = sheets.XLSX
PDF = documents.PDF

# --- texts -----------------------------------------------------------------------------------------
# Every text of the report, in the message catalogue (English source strings); ``text`` renders one
# in the report's language. Choice values (statuses, regions, target groups, service types) use the
# models' own labels, so each is translated once for the pages and the report alike.
TEXTS: dict[str, Any] = {
    "report": _("Coalition activity report"),
    "coalition": _("NGO Coalition against Trafficking in Human Beings"),
    "period": _("Period"),
    "chair": _("Coalition chair"),
    "generated": _("Generated on"),
    "as_of": _("Proposals and decisions are shown as they stand on the day the report was generated."),
    "summary": _("The period at a glance"),
    "meetings_held": _("Meetings held"),
    "decisions_made": _("Decisions made"),
    "decisions_done": _("Decisions carried out"),
    "proposals_made": _("Proposals made"),
    "campaigns_run": _("Campaigns"),
    "events_held": _("Campaign events held"),
    "people_reached": _("People reached"),
    "member_count": _("Coalition members"),
    "meetings": _("Meetings"),
    "proposals": _("Proposals and their fate"),
    "campaigns": _("Campaigns and reach"),
    "members": _("Member NGOs: referrals and services"),
    "date": _("Date"),
    "meeting": _("Meeting"),
    "organiser": _("Organiser"),
    "participants": _("Participants"),
    "decisions": _("Decisions"),
    "done": _("Done"),
    "no_meetings": _("No meetings were held in this period."),
    "by_status": _("Proposals by status"),
    "status": _("Status"),
    "count": _("Number"),
    "total": _("Total"),
    "proposal": _("Proposal"),
    "from": _("From"),
    "addressed_to": _("Addressed to"),
    "measures_fed": _("Plan measures fed"),
    "no_proposals": _("No proposals were made in this period."),
    "campaign": _("Campaign"),
    "dates": _("Dates"),
    "organisers": _("Organisers"),
    "events": _("Events"),
    "no_campaigns": _("No campaigns ran in this period."),
    "reach_note": _("Only events held in the period are counted."),
    "by_region": _("People reached by region"),
    "by_group": _("People reached by target group"),
    "region": _("Region"),
    "target_group": _("Target group"),
    "no_reach": _("No events were held in this period."),
    "member": _("Member NGO"),
    "chair_mark": _("chair"),
    "referrals_received": _("Referrals received"),
    "services_delivered": _("Services delivered"),
    "services_by_type": _("Services delivered by type"),
    "no_members": _("The coalition has no members at present."),
    "no_services": _("No services delivered by members were recorded in this period."),
    "members_note": _("Totals computed from the case records of the national referral mechanism: no names, no "
                      "case numbers. Referrals count on the day they were made, services on the day they were "
                      "delivered."),
    "primary_note": _("“<%(t)s”: from 1 to %(m)s. Azerbaijan identifies some 70–100 victims a year; small numbers "
                      "are not shown because they could identify a person."),
    "secondary_note": _("“x”: hidden as well, so that a hidden number cannot be worked out from the row total."),
    "page_of": _("Page {page} of {pages}"),
    "sheet_overview": _("Overview"),
    "sheet_members": _("Member NGOs"),
    "sheet_reach": _("Reach"),
    "intro": _("A report on the coalition's meetings, proposals and campaigns and on the referrals and services of "
               "member NGOs for a period of your choice (PDF or Excel). From the case records it holds totals only; "
               "numbers from 1 to %(m)s are shown as “<%(t)s”."),
    "start": _("Start date"),
    "end": _("End date"),
    "language": _("Language of the report"),
    "download_pdf": _("Download PDF"),
    "download_xlsx": _("Download Excel (XLSX)"),
    "error_start": _("Give the start date as YYYY-MM-DD, for example 2025-01-01."),
    "error_end": _("Give the end date as YYYY-MM-DD, for example 2025-12-31."),
    "error_order": _("The period cannot end before it starts."),
    "error_long": _("The period can be at most %(years)s years long."),
    "error_range": _("The dates must lie between the years %(first)s and %(last)s."),
    "error_language": _("Choose the language of the report: az, ru or en."),
}

# Each language named in itself, as a language menu shows it (not translated on purpose).
LANGUAGE_NAMES = {"az": "Azərbaycan dili", "ru": "Русский", "en": "English"}


def text(key: str, language: str, **values: Any) -> str:
    """A text of the report in ``language``; ``%(name)s`` placeholders are filled from ``values``."""
    with translation.override(language):
        value = str(TEXTS[key])
    return value % values if values else value


def _label(choices: Any, code: str) -> str:
    """A choice's label in the active language; an unknown code as it is."""
    return str(dict(choices).get(code, code))


def suppression_notes(language: str, threshold: int | None = None) -> dict[str, str]:
    limit = disclosure.threshold_value(threshold)
    return {"primary": text("primary_note", language, t=limit, m=limit - 1),
            "secondary": text("secondary_note", language)}


# --- data ------------------------------------------------------------------------------------------
def _bounds(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The period as aware datetimes [start 00:00, day after end 00:00) in the current time zone."""
    zone = timezone.get_current_timezone()
    return (timezone.make_aware(dt.datetime.combine(start, dt.time.min), zone),
            timezone.make_aware(dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min), zone))


def _natural(number: str) -> tuple[Any, ...]:
    return tuple(int(p) if p.isdigit() else p for p in re.split(r"(\d+)", number))


def _date(value: dt.date, short: bool = True) -> str:
    return formats.date_format(value, "SHORT_DATE_FORMAT" if short else "DATE_FORMAT")


def _number(value: int | str) -> str:
    """A count as text in the active language (12,000 / 12 000); a suppressed "<5" or "x" as it is."""
    return formats.number_format(value, force_grouping=True) if isinstance(value, int) else value


def _chair() -> dict[str, str]:
    member = Member.objects.filter(is_chair=True, left_on__isnull=True).select_related("organisation").first()
    if member is None:
        return {"organisation": "", "person": ""}
    holder = (Membership.objects.filter(organisation=member.organisation_id, role=Role.COALITION_COORDINATOR,
                                        is_active=True, user__is_active=True)
              .select_related("user").order_by("id").first())
    return {"organisation": member.organisation.name, "person": holder.user.display_name() if holder else ""}


def _meetings(start: dt.date, end: dt.date) -> list[dict[str, Any]]:
    rows = (Meeting.objects.filter(held_on__range=(start, end)).select_related("organiser")
            .annotate(n_participants=Count("participants", distinct=True),
                      n_decisions=Count("decisions", distinct=True),
                      n_done=Count("decisions", filter=Q(decisions__done_on__isnull=False), distinct=True))
            .order_by("held_on", "id"))
    return [{"date": _date(m.held_on), "iso": m.held_on.isoformat(), "title": m.title,
             "organiser": m.organiser.name, "participants": m.n_participants, "decisions": m.n_decisions,
             "done": m.n_done} for m in rows]


def _proposals(start: dt.date, end: dt.date) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    made_on = Coalesce("meeting__held_on", TruncDate("created_at"), output_field=DateField())
    rows = (Proposal.objects.annotate(made_on=made_on).filter(made_on__range=(start, end))
            .select_related("from_organisation", "addressed_to").prefetch_related("measures")
            .order_by("made_on", "id"))
    labels = Proposal.Status.choices
    listed = [{"date": _date(p.made_on), "iso": p.made_on.isoformat(), "title": p.title,
               "from": p.from_organisation.short_name or p.from_organisation.name,
               "from_full": p.from_organisation.name,
               "to": p.addressed_to.short_name or p.addressed_to.name, "to_full": p.addressed_to.name,
               "status": p.status, "status_label": _label(labels, p.status),
               "measures": "; ".join(sorted((m.number for m in p.measures.all()), key=_natural))}
              for p in rows]
    counts = Counter(p["status"] for p in listed)
    by_status = [{"code": code, "label": _label(labels, code), "count": counts[code]}
                 for code in Proposal.Status.values]
    return by_status, listed


def _campaigns(start: dt.date, end: dt.date) -> list[dict[str, Any]]:
    in_period = Q(events__held_on__range=(start, end))
    rows = (Campaign.objects.filter(starts_on__lte=end, ends_on__gte=start)
            .annotate(n_events=Count("events", filter=in_period),
                      people=Sum("events__people_reached", filter=in_period))
            .prefetch_related("organisers").order_by("starts_on", "id"))
    return [{"title": c.title, "dates": f"{_date(c.starts_on)} – {_date(c.ends_on)}",
             "organisers": "; ".join(o.short_name or o.name for o in c.organisers.all()),
             "events": c.n_events, "people": int(c.people or 0), "people_text": _number(int(c.people or 0))}
            for c in rows]


def _reach(start: dt.date, end: dt.date) -> dict[str, Any]:
    by_region: Counter[str] = Counter()
    by_group: Counter[str] = Counter()
    events = CampaignEvent.objects.filter(held_on__range=(start, end)).order_by()
    for region, group, people in events.values_list("region", "target_group", "people_reached"):
        by_region[region] += people
        by_group[group] += people

    def bars(counter: Counter[str], choices: Any) -> list[dict[str, Any]]:
        top = max(counter.values(), default=0) or 1
        ordered = sorted(counter.items(), key=lambda item: (-item[1], _label(choices, item[0])))
        return [{"code": code, "label": _label(choices, code), "people": people,
                 "people_text": _number(people), "width": round(100 * people / top, 1)} for code, people in ordered]

    total = sum(by_region.values())
    return {"total": total, "total_text": _number(total), "regions": bars(by_region, REGIONS),
            "groups": bars(by_group, TargetGroup.choices)}


def _members(start: dt.date, end: dt.date, threshold: int | None) -> dict[str, Any]:
    """Referrals received and services delivered per current member: suppressed counts only."""
    members = list(Member.objects.filter(left_on__isnull=True).select_related("organisation")
                   .order_by("organisation__name"))
    ids = [m.organisation_id for m in members]
    low, high = _bounds(start, end)
    received: dict[int, int] = dict(
        Referral.objects.filter(to_organisation_id__in=ids, created_at__gte=low, created_at__lt=high).order_by()
        .values("to_organisation").annotate(n=Count("id")).values_list("to_organisation", "n"))
    delivered: dict[int, Counter[str]] = {pk: Counter() for pk in ids}
    services = (CaseService.objects.filter(provider_id__in=ids, delivered_on__range=(start, end)).order_by()
                .values_list("provider", "service_type").annotate(n=Count("id")))
    for provider, service_type, n in services:
        delivered[provider][service_type] += n
    present = {code for counter in delivered.values() for code in counter}
    types = [code for code in ServiceType.values if code in present]
    types += sorted(present - set(types))
    columns = [f"type:{code}" for code in types]
    raw: list[dict[str, Any]] = [
        {"name": m.organisation.name, "chair": m.is_chair, "referrals": received.get(m.organisation_id, 0),
         "services": sum(delivered[m.organisation_id].values()),
         **{f"type:{code}": delivered[m.organisation_id][code] for code in types}} for m in members]
    safe = disclosure.suppress_table(raw, columns, threshold=threshold)
    return {
        "types": [{"code": code, "label": _label(ServiceType.choices, code)} for code in types],
        "rows": [{"name": row["name"], "chair": row["chair"],
                  "referrals": disclosure.suppress(row["referrals"], threshold=threshold),
                  "services": disclosure.suppress(row["services"], threshold=threshold),
                  "types": [safe_row[c] for c in columns]} for row, safe_row in zip(raw, safe, strict=True)],
    }


def activity_data(start: dt.date, end: dt.date, language: str, *, threshold: int | None = None) -> dict[str, Any]:
    """Everything the report shows for ``start``–``end`` (both included), in ``language``."""
    if language not in LANGUAGES:
        raise ValueError(f"unknown language {language!r}")
    if end < start:
        raise ValueError("the period ends before it starts")
    with translation.override(language):
        today = timezone.localdate()
        limit = disclosure.threshold_value(threshold)
        meetings = _meetings(start, end)
        by_status, proposals = _proposals(start, end)
        campaigns = _campaigns(start, end)
        reach = _reach(start, end)
        members = _members(start, end, limit)
        period = f"{_date(start, short=False)} – {_date(end, short=False)}"
        title = text("report", language)
        labels = {key: str(entry) for key, entry in TEXTS.items()}
        return {
            "lang": language,
            "title": title,
            "coalition": text("coalition", language),
            "period": period,
            "start": start.isoformat(),
            "end": end.isoformat(),
            "generated": _date(today, short=False),
            "chair": _chair(),
            "footer": f"Körpü · {title} · {period}",
            "threshold": limit,
            "labels": labels,
            "notes": suppression_notes(language, limit),
            "summary": [{"key": key, "label": text(key, language), "value": value, "text": _number(value)}
                        for key, value in [
                            ("meetings_held", len(meetings)),
                            ("decisions_made", sum(m["decisions"] for m in meetings)),
                            ("decisions_done", sum(m["done"] for m in meetings)),
                            ("proposals_made", len(proposals)),
                            ("campaigns_run", len(campaigns)),
                            ("events_held", sum(c["events"] for c in campaigns)),
                            ("people_reached", reach["total"]),
                            ("member_count", len(members["rows"])),
                        ]],
            "meetings": meetings,
            "proposal_counts": by_status,
            "proposal_total": len(proposals),
            "proposals": proposals,
            "campaigns": campaigns,
            "reach": reach,
            "members": members,
        }


# --- PDF -------------------------------------------------------------------------------------------
def activity_pdf(start: dt.date, end: dt.date, language: str) -> bytes:
    """The report as PDF bytes, in ``language`` (az, ru or en)."""
    return documents.render_pdf(TEMPLATE, activity_data(start, end, language))


# --- XLSX ------------------------------------------------------------------------------------------
BOLD, HEADER_FILL, WRAP = sheets.BOLD, sheets.HEADER_FILL, sheets.WRAP


def activity_xlsx(start: dt.date, end: dt.date, language: str) -> bytes:
    """The report as an Excel workbook: an overview, then one sheet per section, headers in ``language``."""
    data = activity_data(start, end, language)
    t = data["labels"]
    workbook = openpyxl.Workbook()

    overview = workbook.active
    overview.title = sheets.sheet_title(t["sheet_overview"])
    sheets.append_row(overview, [data["title"]])
    overview["A1"].font = Font(bold=True, size=14)
    sheets.append_row(overview, [data["coalition"]])
    sheets.append_row(overview, [t["period"], data["period"]])
    chair = ", ".join(p for p in (data["chair"]["person"], data["chair"]["organisation"]) if p)
    if chair:
        sheets.append_row(overview, [t["chair"], chair])
    sheets.append_row(overview, [t["generated"], data["generated"]])
    sheets.append_row(overview, [t["as_of"]])
    sheets.append_row(overview, [])
    sheets.append_row(overview, [t["summary"], t["count"]], header=True)
    for item in data["summary"]:
        sheets.append_row(overview, [item["label"], item["value"]])
    sheets.append_row(overview, [])
    sheets.append_row(overview, [t["by_status"], t["count"]], header=True)
    for item in data["proposal_counts"]:
        sheets.append_row(overview, [item["label"], item["count"]])
    sheets.append_row(overview, [t["total"], data["proposal_total"]], bold=True)
    sheets.set_widths(overview, [48, 60])

    table = sheets.write_table
    table(workbook.create_sheet(sheets.sheet_title(t["meetings"])),
          [t["date"], t["meeting"], t["organiser"], t["participants"], t["decisions"], t["done"]],
          ([dt.date.fromisoformat(m["iso"]), m["title"], m["organiser"], m["participants"], m["decisions"],
            m["done"]] for m in data["meetings"]),
          [12, 60, 40, 12, 12, 12], empty=t["no_meetings"])
    table(workbook.create_sheet(sheets.sheet_title(t["proposals"])),
          [t["date"], t["proposal"], t["from"], t["addressed_to"], t["status"], t["measures_fed"]],
          ([dt.date.fromisoformat(p["iso"]), p["title"], p["from_full"], p["to_full"], p["status_label"],
            p["measures"]] for p in data["proposals"]),
          [12, 50, 36, 36, 20, 16], empty=t["no_proposals"])
    table(workbook.create_sheet(sheets.sheet_title(t["campaigns"])),
          [t["campaign"], t["dates"], t["organisers"], t["events"], t["people_reached"]],
          ([c["title"], c["dates"], c["organisers"], c["events"], c["people"]] for c in data["campaigns"]),
          [50, 26, 40, 12, 16], empty=t["no_campaigns"])

    reach = workbook.create_sheet(sheets.sheet_title(t["sheet_reach"]))
    table(reach, [t["region"], t["people_reached"]],
          ([r["label"], r["people"]] for r in data["reach"]["regions"]), [28, 16], empty=t["no_reach"])
    start_row = 1
    reach.cell(row=start_row, column=4, value=t["target_group"])
    reach.cell(row=start_row, column=5, value=t["people_reached"])
    for column in (4, 5):
        cell = reach.cell(row=start_row, column=column)
        cell.font, cell.fill, cell.alignment = BOLD, HEADER_FILL, WRAP
    for offset, group in enumerate(data["reach"]["groups"], start=1):
        reach.cell(row=start_row + offset, column=4, value=group["label"]).data_type = "s"
        reach.cell(row=start_row + offset, column=5, value=group["people"])
    reach.column_dimensions["C"].width = 4
    reach.column_dimensions["D"].width = 28
    reach.column_dimensions["E"].width = 16
    total_row = max(len(data["reach"]["regions"]), len(data["reach"]["groups"]), 1) + 2
    reach.cell(row=total_row, column=1, value=t["total"]).font = BOLD
    reach.cell(row=total_row, column=2, value=data["reach"]["total"]).font = BOLD
    reach.cell(row=total_row + 1, column=1, value=t["reach_note"]).font = Font(italic=True)

    members = workbook.create_sheet(sheets.sheet_title(t["sheet_members"]))
    types = data["members"]["types"]
    table(members, [t["member"], t["referrals_received"], t["services_delivered"], *[x["label"] for x in types]],
          ([row["name"] + (f" ({t['chair_mark']})" if row["chair"] else ""), row["referrals"], row["services"],
            *row["types"]] for row in data["members"]["rows"]),
          [44, 14, 14, *[14 for _x in types]], empty=t["no_members"])
    for cells in members.iter_rows(min_row=2, min_col=2):
        for cell in cells:
           cell.alignment = Alignment(horizontal="right", vertical="top")
    sheets.append_row(members, [])
    for note in (t["members_note"], data["notes"]["primary"], data["notes"]["secondary"]):
        sheets.append_row(members, [note])
        members.cell(row=members.max_row, column=1).font = Font(italic=True)

    workbook.properties.title = f"{data['title']} · {data['period']}"
    workbook.properties.language = language
    return sheets.workbook_bytes(workbook)


def filename(start: dt.date, end: dt.date, language: str, extension: str) -> str:
    return f"korpu-coalition-report-{start:%Y%m%d}-{end:%Y%m%d}-{language}.{extension}"
