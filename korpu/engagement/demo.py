"""Demo coalition data: the members with synthetic contact people, the 20 October 2020 meeting
(organisations only, no real people) with its agenda paper, proposals in every state, and a few joint
campaigns, published. Written for Körpü; all details are synthetic."""

from __future__ import annotations

import datetime as dt
import io

from django.utils import timezone
from PIL import Image, ImageDraw

from korpu.accounts.models import Organisation, User
from korpu.engagement import actions
from korpu.engagement.models import Proposal
from korpu.plan.models import Measure


def _org(key: str) -> Organisation:
    from korpu.accounts.demo import ORGANISATIONS

    spec = next(s for s in ORGANISATIONS if s.key == key)
    return Organisation.objects.get(name=spec.name)


def _picture(colour: tuple[int, int, int]) -> bytes:
    image = Image.new("RGB", (960, 640), colour)
    draw = ImageDraw.Draw(image)
    draw.rectangle((80, 380, 880, 560), fill=(240, 240, 240))
    for x in range(140, 860, 120):
        draw.ellipse((x, 220, x + 70, 290), fill=(60, 60, 80))
        draw.rectangle((x - 5, 290, x + 75, 380), fill=(60, 60, 80))
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=85)
    return out.getvalue()


def _pdf(lines: list[str]) -> bytes:
    """A one-page PDF with a few lines of ASCII text (the demo's agenda paper)."""
    text = " ".join(f"({line}) Tj 0 -18 Td" for line in lines)
    stream = f"BT /F1 12 Tf 72 760 Td {text} ET".encode()
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> "
               b"/Contents 5 0 R >>", b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
               b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream"]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(f"{number} 0 obj\n".encode() + body + b"\nendobj\n")
    xref = out.tell()
    out.write(f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode())
    for offset in offsets:
        out.write(f"{offset:010d} 00000 n \n".encode())
    out.write(f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode())
    return out.getvalue()


# Synthetic contact people (made-up names, example.org addresses, unused numbers).
CONTACTS = {
    "ngo1": [("Səbinə Nümunəli", "İcraçı direktor", "+994 12 000 00 11", "direktor@umid-korpusu.example.org"),
             ("Rauf Sınaqov", "Qaynar xətt koordinatoru", "+994 12 000 00 12", "")],
    "ngo2": [("Günay Təcrübəli", "Sığınacaq rəhbəri", "", "siginacaq@heyat-isigi.example.org")],
    "ngo3": [("Elvin Misallı", "Layihə meneceri", "+994 25 000 00 31", "layihe@gelecek-namine.example.org")],
}


def load() -> None:
    coordinator = User.objects.get(username="koalisiya")
    police, ngo1, ngo2, ngo3 = _org("police"), _org("ngo1"), _org("ngo2"), _org("ngo3")
    members = {
        "ngo1": actions.member_save(by=coordinator, organisation=ngo1, joined_on=dt.date(2010, 3, 1), is_chair=True,
                                    services=["shelter", "rehabilitation", "psychological", "hotline"],
                                    regions=["baku", "absheron_khizi"]),
        "ngo2": actions.member_save(by=coordinator, organisation=ngo2, joined_on=dt.date(2012, 6, 15),
                                    services=["shelter", "legal_aid", "vocational"],
                                    regions=["ganja_dashkasan", "gazakh_tovuz"]),
        "ngo3": actions.member_save(by=coordinator, organisation=ngo3, joined_on=dt.date(2016, 9, 1),
                                    services=["awareness", "legal_aid"], regions=["lankaran_astara"]),
    }
    for key, contacts in CONTACTS.items():
        for name, title, phone, email in contacts:
            actions.contact_save(by=coordinator, member=members[key], name=name, title=title, phone=phone,
                                 email=email)
    meeting = actions.meeting_create(
        by=coordinator, title="Baş İdarə ilə QHT Koalisiyasının görüşü", held_on=dt.date(2020, 10, 20),
        organiser=police, place="Bakı",
        agenda=["ABŞ Dövlət Departamentinin və beynəlxalq təşkilatların məlumat və tövsiyələri",
                "2020–2024-cü illər üzrə Milli Fəaliyyət Planı və QHT-lərlə əməkdaşlıq müddəaları",
                "Koalisiyanın sədrinin koalisiyanın fəaliyyəti barədə məlumatı",
                "Vaxtında profilaktika üçün birgə maarifləndirmə işinin genişləndirilməsi",
                "Koalisiya üzvlərinin təklifləri"],
        minutes="Tərəflər tövsiyələri və Fəaliyyət Planının QHT-lərlə əməkdaşlıq müddəalarını müzakirə etdilər. "
                "Birgə maarifləndirmə kampaniyalarının genişləndirilməsi razılaşdırıldı.",
        summary="Baş İdarə ilə reabilitasiya mərkəzləri və sığınacaqlar saxlayan QHT-lərin rəhbərləri görüşdü.")
    for organisation in (police, ngo1, ngo2, ngo3):
        actions.participant_add(by=coordinator, meeting=meeting, organisation=organisation)
    actions.decision_add(by=coordinator, meeting=meeting, text="Birgə maarifləndirmə planı hazırlamaq",
                         responsible=ngo1, due_on=dt.date(2020, 12, 1))
    done = actions.decision_add(by=coordinator, meeting=meeting, text="Rüblük görüşlərin cədvəlini razılaşdırmaq",
                                responsible=police, due_on=dt.date(2020, 11, 15))
    actions.decision_done(by=coordinator, decision=done, done_on=dt.date(2020, 11, 10))
    actions.photo_add(by=coordinator, meeting=meeting, data=_picture((40, 90, 120)),
                      alt_text="Görüş iştirakçıları masa arxasında", is_public=True)
    actions.attachment_add(by=coordinator, meeting=meeting, filename="gundelik-2020-10-20.pdf",
                           data=_pdf(["Meeting of the Main Department and the NGO Coalition", "20 October 2020",
                                      "Agenda (synthetic demo document)"]),
                           kind="agenda", title="Görüşün gündəliyi", is_public=True)
    actions.publish(by=coordinator, obj=meeting, public=True)

    measure = Measure.objects.filter(number="2.1").first()
    states = [
        ("Məktəblərdə maarifləndirmə dərsləri", ngo3, police, []),
        ("Qaynar xəttin regionlarda təbliği", ngo1, police, ["under_review"]),
        ("Miqrantlar üçün çoxdilli vərəqələr", ngo2, police, ["accepted"]),
        ("Sığınacaqlar üçün əlavə maliyyə", ngo1, _org("coordinator"), ["under_review", "partially_accepted"]),
        ("Hər rayonda ayrıca sığınacaq", ngo2, _org("coordinator"), ["declined"]),
        ("Birgə maarifləndirmə kampaniyası", ngo1, police, ["accepted", "implemented"]),
    ]
    for title, source, addressed, path in states:
        proposal = actions.proposal_create(by=coordinator, from_organisation=source, addressed_to=addressed,
                                           title=title, text=f"{title}: təklifin mətni (nümunə).",
                                           meeting=meeting)
        for status in path:
            needs_reason = status in (Proposal.Status.DECLINED, Proposal.Status.PARTIALLY_ACCEPTED)
            actions.proposal_respond(by=coordinator, proposal=proposal, status=status,
                                     response="Cavab (nümunə)." if needs_reason or status == "accepted" else "",
                                     measures=[measure] if measure and status == "accepted" else None)

    campaign = actions.campaign_create(
        by=coordinator, title="“Diqqətli ol!” — iş axtaranlar üçün kampaniya", starts_on=dt.date(2021, 3, 1),
        ends_on=dt.date(2021, 6, 30), organisers=[police, ngo1, ngo3],
        target_groups=["job_seekers", "students"], channels=["talks", "social_media"],
        regions=["baku", "lankaran_astara", "ganja_dashkasan"],
        description="Universitetlərdə və məşğulluq mərkəzlərində iş təkliflərindəki aldatma barədə söhbətlər.",
        materials="Vərəqə “Xaricdə iş təklifi alanda nəyə diqqət etməli”; sosial şəbəkələr üçün qısa video.")
    for day, place, region, group, channel, people in [
        (dt.date(2021, 3, 10), "Bakı Dövlət Universiteti", "baku", "students", "talks", 320),
        (dt.date(2021, 4, 2), "Lənkəran məşğulluq mərkəzi", "lankaran_astara", "job_seekers", "talks", 85),
        (dt.date(2021, 5, 5), "Sosial şəbəkələr", "baku", "job_seekers", "social_media", 12000),
        (dt.date(2021, 6, 1), "Gəncə Dövlət Universiteti", "ganja_dashkasan", "students", "talks", 210),
    ]:
        actions.campaign_event_add(by=coordinator, campaign=campaign, held_on=day, place=place, region=region,
                                   target_group=group, channel=channel, people_reached=people)
    migrants = actions.campaign_create(
        by=coordinator, title="Əmək miqrantları üçün məlumat günləri", starts_on=dt.date(2022, 9, 1),
        ends_on=dt.date(2022, 10, 31), organisers=[police, ngo2], target_groups=["labour_migrants"],
        channels=["printed", "hotline"], regions=["gazakh_tovuz", "shaki_zagatala"])
    actions.campaign_event_add(by=coordinator, campaign=migrants, held_on=dt.date(2022, 9, 20),
                               place="Qazax avtovağzalı", region="gazakh_tovuz", target_group="labour_migrants",
                               channel="printed", people_reached=640)
    # One campaign still ahead, so the public calendar has something to show: planned events, nobody
    # reached yet (the numbers come in as the events are held).
    start = timezone.localdate() + dt.timedelta(days=30)
    hotline = actions.campaign_create(
        by=coordinator, title="“152” — qaynar xətti tanıdaq", starts_on=start, ends_on=start + dt.timedelta(days=60),
        organisers=[police, ngo1, ngo2], target_groups=["general_public", "women"],
        channels=["hotline", "tv_radio", "printed"], regions=["baku", "shaki_zagatala"],
        description="Qaynar xəttin nömrəsini və pulsuz, məxfi yardımı tanıtmaq.",
        materials="Afişalar, radio çıxışları, vərəqələr.")
    for offset, place, region in ((5, "Bakı, “28 May” metro stansiyası", "baku"),
                                  (25, "Şəki şəhər mədəniyyət mərkəzi", "shaki_zagatala")):
        actions.campaign_event_add(by=coordinator, campaign=hotline, held_on=start + dt.timedelta(days=offset),
                                   place=place, region=region, target_group="general_public", channel="hotline",
                                   people_reached=0)
    for published in (campaign, migrants, hotline):
        actions.publish(by=coordinator, obj=published, public=True)
