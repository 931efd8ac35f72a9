"""Demo licences: ID cards for every demo person, other licences for plausible subsets,
business licences (and some food and construction licences) for the demo legal entities.

Issued in bulk per type, as its issuing department, with history, signed like any other
licence. Demo-only code: it reads the persons and entities through the models of their
libraries, which library code proper never does.
"""

import datetime
import hashlib
import hmac
import random

from django.apps import apps
from django.conf import settings

from hub.records.services import write

from . import identifiers, reference
from .models import Licence

MARRIED = {"20", "21", "22", "23"}
TODAY = datetime.date(2026, 6, 30)


def _date(value):
    return value if isinstance(value, datetime.date) else None


def _age(birth, on=TODAY):
    return (on - birth).days // 365


def _years_after(day, years):
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _serial(type_code, holder_key, number):
    """A stable, opaque demo serial: keyed by SECRET_KEY, so it neither shows nor reveals the holder."""
    message = f"{type_code}:{holder_key}:{number}".encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()[:20].upper()


def _licence(type_row, department, holder_key, holder_name, number, issue_date, valid_to, surface, division):
    issuer = reference.issuer(department)
    values = {
        "identifier": identifiers.build(
            type_row["code"], issuer["credit_code"], _serial(type_row["code"], holder_key, number)
        ),
        "licence_type": type_row["code"],
        "number": number,
        "holder_kind": type_row["holder_kind"],
        "holder_key": holder_key,
        "holder_name": holder_name,
        "issuing_authority": issuer["name"],
        "issuer_code": issuer["credit_code"],
        "issue_date": issue_date,
        "valid_from": issue_date,
        "valid_to": valid_to,
        "division_code": division or "",
        "surface_data": surface,
        "file_digest": "",
        "status": "valid",
    }
    return values


def bulk_issue(slug, rows, *, reason="demo seed"):
    """Create licences of one type from prepared rows as its issuing department; returns how many.

    Through the hub's one write path (:func:`hub.records.services.write`), which signs each licence.
    """
    type_row = reference.type_by_slug(slug)
    department = type_row["issuing_department"]
    # Seeding again (or with more persons) issues only to holders without a licence of this type.
    existing = set(Licence.objects.filter(licence_type=type_row["code"]).values_list("holder_key", flat=True))
    rows = [r for r in rows if r["holder_key"] not in existing]
    if not rows:
        return 0
    return write(Licence.dataset_code, rows, department=department, reason=reason, channel="seed")["created"]


def person_licences(persons, rng):
    """``{type slug: [licence rows]}`` for person rows (dicts of Person fields)."""
    out = {
        slug: []
        for slug in (
            "resident_id_card",
            "driving_licence",
            "marriage_certificate",
            "social_security_card",
            "real_estate_title",
            "physician_practising_certificate",
        )
    }
    married = [p for p in persons if p.get("marital_status") in MARRIED and not p.get("death_date")]
    spouses = {}
    husbands = [p for p in married if p["gender"] == "1"]
    wives = [p for p in married if p["gender"] == "2"]
    for husband, wife in zip(husbands, wives, strict=False):
        spouses[husband["id_number"]], spouses[wife["id_number"]] = wife, husband
    for p in persons:
        birth = _date(p["birth_date"])
        if birth is None or p.get("death_date"):
            continue
        age = _age(birth)
        key, name, division = p["id_number"], p["name"], p.get("household_division") or ""
        address = p.get("household_address") or ""
        # Resident ID card: term by age at issue (GB/T: <16 5y, 16-25 10y, 26-45 20y, 46+ long-term).
        issued = TODAY - datetime.timedelta(days=rng.randrange(1, 365 * 6))
        age_at_issue = _age(birth, issued)
        if issued < birth:
            issued = birth + datetime.timedelta(days=30)
            age_at_issue = 0
        term = 5 if age_at_issue < 16 else 10 if age_at_issue < 26 else 20 if age_at_issue < 46 else None
        out["resident_id_card"].append(
            _licence(
                reference.type_by_slug("resident_id_card"),
                "gat",
                key,
                name,
                key,
                issued,
                _years_after(issued, term) if term else None,
                {
                    "name": name,
                    "gender": p["gender"],
                    "ethnicity": p.get("ethnicity") or "",
                    "birth_date": birth.isoformat(),
                    "address": address,
                    "id_number": key,
                },
                division,
            )
        )
        if 18 <= age <= 75 and rng.random() < 0.45:
            first = _years_after(birth, 18 + rng.randrange(0, max(1, min(age - 18, 30)) + 1))
            renewed = (
                first
                if (TODAY - first).days < 6 * 365
                else _years_after(first, ((TODAY - first).days // 365 // 6) * 6)
            )
            long_term = (renewed - first).days > 12 * 365
            out["driving_licence"].append(
                _licence(
                    reference.type_by_slug("driving_licence"),
                    "gat",
                    key,
                    name,
                    key,
                    renewed,
                    None if long_term else _years_after(renewed, 6 if (renewed - first).days < 365 else 10),
                    {
                        "name": name,
                        "gender": p["gender"],
                        "nationality": "中国",
                        "address": address,
                        "birth_date": birth.isoformat(),
                        "first_issue_date": first.isoformat(),
                        "permitted_class": rng.choice(["C1", "C1", "C2", "B2", "A2"]),
                    },
                    division,
                )
            )
        spouse = spouses.get(key)
        if p.get("marital_status") in MARRIED and age >= 20:
            registered = _years_after(birth, rng.randrange(22, max(23, min(age, 35)) + 1))
            registered = min(registered, TODAY)
            spouse_key = spouse["id_number"] if spouse else ""
            spouse_name = spouse["name"] if spouse else ""
            if not spouse:
                continue  # only couples both in the demo population get a certificate
            number = f"J{division or '320000'}-{registered.year}-{int(key[14:17]):06d}"
            out["marriage_certificate"].append(
                _licence(
                    reference.type_by_slug("marriage_certificate"),
                    "mzt",
                    key,
                    name,
                    number,
                    registered,
                    None,
                    {
                        "name": name,
                        "spouse_name": spouse_name,
                        "spouse_id_number": spouse_key,
                        "registration_date": registered.isoformat(),
                        "registration_office": "婚姻登记处",
                    },
                    division,
                )
            )
        if p.get("social_insurance_status") == "insured":
            issued = TODAY - datetime.timedelta(days=rng.randrange(30, 365 * 9))
            out["social_security_card"].append(
                _licence(
                    reference.type_by_slug("social_security_card"),
                    "rst",
                    key,
                    name,
                    f"S{rng.randrange(10**8):08d}",
                    issued,
                    _years_after(issued, 10),
                    {
                        "name": name,
                        "social_security_number": key,
                        "card_number": f"S{rng.randrange(10**8):08d}",
                        "card_generation": "3",
                    },
                    division,
                )
            )
        if 25 <= age and rng.random() < 0.3:
            issued = TODAY - datetime.timedelta(days=rng.randrange(30, 365 * 15))
            # 28-character real-estate unit number: division, cadastral zone, parcel, building unit
            zone, parcel, unit = rng.randrange(10**6), rng.randrange(10**5), rng.randrange(10**8)
            unit = f"{division or '320102'}{zone:06d}GB{parcel:05d}F{unit:08d}"
            out["real_estate_title"].append(
                _licence(
                    reference.type_by_slug("real_estate_title"),
                    "zrzyt",
                    key,
                    name,
                    f"苏({issued.year})不动产权第{rng.randrange(10**7):07d}号",
                    issued,
                    None,
                    {
                        "right_holder": name,
                        "co_ownership": rng.choice(["单独所有", "共同共有"]),
                        "location": address or "江苏省",
                        "unit_number": unit,
                        "right_type": "国有建设用地使用权/房屋所有权",
                        "use": "城镇住宅用地/住宅",
                        "area": f"{rng.randrange(45, 180)}㎡",
                    },
                    division,
                )
            )
        if 26 <= age <= 65 and rng.random() < 0.02:
            issued = TODAY - datetime.timedelta(days=rng.randrange(30, 365 * 20))
            number = f"{rng.randrange(10**15):015d}"
            out["physician_practising_certificate"].append(
                _licence(
                    reference.type_by_slug("physician_practising_certificate"),
                    "wjw",
                    key,
                    name,
                    number,
                    issued,
                    None,
                    {
                        "name": name,
                        "gender": p["gender"],
                        "birth_date": birth.isoformat(),
                        "practice_level": "执业医师",
                        "practice_category": "临床",
                        "practice_scope": rng.choice(["内科专业", "外科专业", "儿科专业", "全科医学专业"]),
                        "practice_institution": "江苏省人民医院",
                    },
                    division,
                )
            )
    return out


def entity_licences(entities, rng):
    """``{type slug: [licence rows]}`` for legal entity rows (dicts of LegalEntity fields)."""
    out = {"business_licence": [], "food_business_licence": [], "construction_enterprise_qualification": []}
    for e in entities:
        key, name, division = e["uscc"], e["name"], e.get("registered_division") or ""
        established = _date(e.get("established_date")) or TODAY - datetime.timedelta(
            days=rng.randrange(365, 7000)
        )
        representative = e.get("legal_representative") or "—"
        address = e.get("registered_address") or "江苏省"
        out["business_licence"].append(
            _licence(
                reference.type_by_slug("business_licence"),
                "scjgj",
                key,
                name,
                key,
                established,
                None if rng.random() < 0.7 else _years_after(established, 30),
                {
                    "name": name,
                    "entity_type": str(e.get("entity_type") or ""),
                    "legal_representative": representative,
                    "registered_capital": f"{e.get('registered_capital') or ''}",
                    "established_on": established.isoformat(),
                    "address": address,
                    "business_scope": "",
                },
                division,
            )
        )
        if rng.random() < 0.12:
            issued = TODAY - datetime.timedelta(days=rng.randrange(30, 365 * 7))
            out["food_business_licence"].append(
                _licence(
                    reference.type_by_slug("food_business_licence"),
                    "scjgj",
                    key,
                    name,
                    f"JY3{division or '320000'}{rng.randrange(10**7):07d}",
                    issued,
                    _years_after(issued, 5),
                    {
                        "operator_name": name,
                        "legal_representative": representative,
                        "address": address,
                        "premises": address,
                        "main_format": rng.choice(["餐饮服务经营者", "食品销售经营者"]),
                        "business_items": "预包装食品销售",
                    },
                    division,
                )
            )
        if rng.random() < 0.06:
            issued = TODAY - datetime.timedelta(days=rng.randrange(30, 365 * 6))
            out["construction_enterprise_qualification"].append(
                _licence(
                    reference.type_by_slug("construction_enterprise_qualification"),
                    "zjt",
                    key,
                    name,
                    f"D{rng.randrange(10**9):09d}",
                    issued,
                    _years_after(issued, 5),
                    {
                        "enterprise_name": name,
                        "legal_representative": representative,
                        "address": address,
                        "economic_nature": "有限责任公司",
                        "qualifications": "建筑工程施工总承包二级",
                    },
                    division,
                )
            )
    return out


PERSON_FIELDS = (
    "id_number",
    "name",
    "gender",
    "ethnicity",
    "birth_date",
    "household_division",
    "household_address",
    "marital_status",
    "social_insurance_status",
    "death_date",
)
ENTITY_FIELDS = (
    "uscc",
    "name",
    "entity_type",
    "legal_representative",
    "registered_address",
    "registered_division",
    "registered_capital",
    "established_date",
)


# (item field, mode, masked) granted to the demo 一网通办 system on licences.licence
DEMO_GRANTS = [
    ("identifier", "search", False),
    ("licence_type", "search", False),
    ("holder_kind", "search", False),
    ("holder_key", "search", False),
    ("holder_name", "lookup", True),
    ("issuing_authority", "lookup", False),
    ("valid_from", "lookup", False),
    ("valid_to", "search", False),
    ("status", "search", False),
    ("number", "verify", False),
    ("surface_data", "verify", False),
    ("signature", "verify", False),
]


def grant_demo_consumer(consumer_name="一网通办平台"):
    """Let the demo consumer find a holder's licences and verify the ones it is shown."""
    from hub.access.choices import Mode
    from hub.access.models import ConsumerSystem, Grant
    from hub.catalogue.models import DataItem

    consumer = ConsumerSystem.objects.filter(name=consumer_name).first()
    if consumer is None:
        return
    for field, mode, masked in DEMO_GRANTS:
        Grant.objects.get_or_create(
            system=consumer,
            item=DataItem.objects.get(code=f"licences.licence.{field}"),
            defaults={"mode": Mode.from_name(mode), "masked": masked, "purpose": "demo"},
        )


def seed(command, persons=1000):
    """Licence types, then licences for the demo persons and (when present) legal entities."""
    reference.load_types()
    grant_demo_consumer()
    rng = random.Random(36904)
    person_model = apps.get_model("population", "Person")
    rows = list(person_model.objects.order_by("id").values(*PERSON_FIELDS))
    counts = {}
    for slug, licences in person_licences(rows, rng).items():
        counts[slug] = bulk_issue(slug, licences)
    try:
        entity_model = apps.get_model("credit", "LegalEntity")
    except LookupError:
        entity_model = None
    if entity_model is not None:
        entities = list(entity_model.objects.order_by("id").values(*ENTITY_FIELDS))
        for slug, licences in entity_licences(entities, rng).items():
            counts[slug] = bulk_issue(slug, licences)
    command.stdout.write(f"Licences issued: {counts}")
