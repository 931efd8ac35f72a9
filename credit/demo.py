"""Synthetic legal entities and credit records for demos and tests.

Entities carry valid GB 32100 codes (registration authority, type, a Jiangsu
county, a GB 11714 organisation code with its check, the USCC check) and
their legal representatives are demo persons. Credit records spread over
licensing, penalties (some past their publicity period, some repaired),
dishonest judgment debtors, serious dishonesty lists and tax A-level red
lists, each written by the authority that decided it.
"""

import datetime
import random
import uuid
from decimal import Decimal

from django.utils import timezone

from geodata.divisions import current_counties
from hub.records.services import write

from .choices import REGISTRATION_PARTITIONS, add_months, add_years
from .validators import ALPHABET, org_code_check_char, uscc_check_char

# (authority, type) of generated entities, weighted like Jiangsu's register (mostly firms).
ENTITY_KINDS = [("9", "1")] * 12 + [("9", "2")] * 5 + [("9", "3")] + [("5", "1"), ("5", "2"), ("5", "3")]
FIRM_WORDS = "恒华信达兴盛泰安鑫源远宏瑞德通利丰嘉诚永昌润金鼎博科创新智联云海天成"
FIRM_KINDS = [
    "科技",
    "贸易",
    "建设工程",
    "食品",
    "物流",
    "医药",
    "环保",
    "机械制造",
    "餐饮管理",
    "房地产开发",
]
ORG_KINDS = {"1": "协会", "2": "培训中心", "3": "慈善基金会"}
INDUSTRIES = "CCCCFFFEEGHIKLMN"
STREETS = ["中山路", "汉中路", "人民路", "长江路", "太湖大道", "运河路", "钟山路", "星湖街"]
CITY_NAMES = {
    "3201": "南京",
    "3202": "无锡",
    "3203": "徐州",
    "3204": "常州",
    "3205": "苏州",
    "3206": "南通",
    "3207": "连云港",
    "3208": "淮安",
    "3209": "盐城",
    "3210": "扬州",
    "3211": "镇江",
    "3212": "泰州",
    "3213": "宿迁",
}
ORG_BODY = [c for c in ALPHABET if c.isdigit() or c in "ABCDEFGHJKLMNPQRTUWXY"]


def make_uscc(authority, entity_type, division, org_body):
    """A valid code from its parts: the organisation code's check, then the USCC check."""
    first17 = f"{authority}{entity_type}{division}{org_body}{org_code_check_char(org_body)}"
    return first17 + uscc_check_char(first17)


def random_uscc(rng, authority="9", entity_type="1", division=None):
    division = division or rng.choice(current_counties("32"))
    if rng.random() < 0.6:
        body = "MA" + "".join(rng.choice(ORG_BODY) for _ in range(6))  # codes issued since 2015
    else:
        body = "".join(rng.choice("0123456789") for _ in range(8))
    return make_uscc(authority, entity_type, division, body)


def generate_entities(count, representatives, seed=2026):
    """Yield ``count`` entity rows with unique valid codes; representatives drawn from ``representatives``.

    ``representatives`` is a list of ``(id_number, name)`` of existing persons.
    """
    rng = random.Random(seed)
    counties = current_counties("32")
    seen = set()
    while len(seen) < count:
        authority, entity_type = rng.choice(ENTITY_KINDS)
        division = rng.choice(counties)
        code = random_uscc(rng, authority, entity_type, division)
        if code in seen:
            continue
        seen.add(code)
        city = CITY_NAMES.get(division[:4], "江苏")
        words = "".join(rng.choice(FIRM_WORDS) for _ in range(2))
        if authority == "9" and entity_type == "1":
            name = f"{city}{words}{rng.choice(FIRM_KINDS)}有限公司"
        elif authority == "9" and entity_type == "2":
            name = f"{city}市{words}{rng.choice(['便利店', '小吃店', '五金店', '理发店'])}"
        elif authority == "9":
            name = f"{city}{words}农业专业合作社"
        else:
            name = f"{city}市{words}{ORG_KINDS[entity_type]}"
        person = representatives[rng.randrange(len(representatives))] if representatives else ("", "")
        established = datetime.date(1995, 1, 1) + datetime.timedelta(days=rng.randrange(30 * 365 - 400))
        yield {
            "uscc": code,
            "name": name,
            "entity_type": code[:2],
            "registration_authority": REGISTRATION_PARTITIONS[authority],
            "legal_representative": person[1],
            "legal_representative_id_number": person[0],
            "registered_address": f"江苏省{city}市{rng.choice(STREETS)}{rng.randint(1, 999)}号",
            "registered_division": division,
            "registered_capital": (
                Decimal(f"{rng.choice([10, 50, 100, 200, 500, 1000, 5000]) * rng.uniform(0.5, 2):.2f}")
                if authority == "9" and entity_type == "1"
                else None
            ),
            "established_date": established,
            "status": rng.choices(["active", "deregistered", "revoked", "suspended"], [90, 6, 3, 1])[0],
            "industry": rng.choice(INDUSTRIES) if authority == "9" else "S",
        }


AUTHORITY_NAMES = {
    "scjgj": "江苏省市场监督管理局",
    "swj": "国家税务总局江苏省税务局",
    "gy": "江苏省高级人民法院",
    "fgw": "江苏省发展和改革委员会",
    "zjt": "江苏省住房和城乡建设厅",
    "wjw": "江苏省卫生健康委员会",
}
AUTHORITY_CODES = {
    "scjgj": make_uscc("1", "1", "320000", "01400001"),
    "swj": make_uscc("1", "1", "320000", "01400002"),
    "gy": make_uscc("1", "1", "320000", "01400003"),
    "fgw": make_uscc("1", "1", "320000", "01400004"),
    "zjt": make_uscc("1", "1", "320000", "01400005"),
    "wjw": make_uscc("1", "1", "320000", "01400006"),
}
PREFIX = {"scjgj": "苏市监", "swj": "苏税", "zjt": "苏建", "wjw": "苏卫"}
LICENCES = {
    "scjgj": ("食品经营许可", "《中华人民共和国食品安全法》第三十五条"),
    "zjt": ("建筑业企业资质许可", "《中华人民共和国建筑法》第十三条"),
    "wjw": ("公共场所卫生许可", "《公共场所卫生管理条例》第八条"),
}
PENALTIES = {
    "scjgj": ("销售不符合食品安全标准的食品", "《中华人民共和国食品安全法》第一百二十四条"),
    "swj": ("未按规定期限办理纳税申报", "《中华人民共和国税收征收管理法》第六十二条"),
    "zjt": ("未取得施工许可证擅自施工", "《建设工程质量管理条例》第五十七条"),
}


def _base(rng, department, kind, subject_type, key, name):
    return {
        "record_id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
        "kind": kind,
        "subject_type": subject_type,
        "subject_key": key,
        "subject_name": name,
        "deciding_department": department,
        "authority_name": AUTHORITY_NAMES[department],
        "authority_code": AUTHORITY_CODES[department],
    }


def generate_records(entities, persons, today, seed=2026):
    """Credit records for ``entities`` (uscc, name) and ``persons`` (id_number, name): a realistic spread."""
    rng = random.Random(seed)
    rows = []
    serial = 0

    def days_ago(low, high):
        return today - datetime.timedelta(days=rng.randint(low, high))

    for key, name in entities:
        for _ in range(rng.choice([0, 1, 1, 2])):
            department = rng.choice(list(LICENCES))
            serial += 1
            row = _base(rng, department, "licensing", "entity", key, name)
            title, basis = LICENCES[department]
            decided = days_ago(10, 1500)
            row.update(
                decision_number=f"{PREFIX[department]}许字〔{decided.year}〕{serial:05d}号",
                legal_basis=basis,
                content=title,
                decision_date=decided,
            )
            rows.append(row)
        if rng.random() < 0.25:
            department = rng.choice(list(PENALTIES))
            serial += 1
            row = _base(rng, department, "penalty", "entity", key, name)
            content, basis = PENALTIES[department]
            decided = days_ago(20, 900)  # some past their one-year publicity
            severity = "serious" if rng.random() < 0.15 else "ordinary"
            row.update(
                decision_number=f"{PREFIX[department]}罚字〔{decided.year}〕{serial:05d}号",
                legal_basis=basis,
                content=f"{content}，给予警告并处罚款",
                severity=severity,
                fine_amount=Decimal(rng.choice(["0.2", "0.5", "1", "2", "5", "10"])),
                decision_date=decided,
            )
            earliest_repair = add_months(decided, 3 if severity == "ordinary" else 12)
            if rng.random() < 0.1 and earliest_repair < today:
                row.update(
                    withdrawn_on=earliest_repair
                    + datetime.timedelta(days=rng.randint(0, (today - earliest_repair).days)),
                    withdrawal_reason="repair",
                    repair_decision_number=f"{PREFIX[department]}修复〔{today.year}〕{serial:05d}号",
                )
            rows.append(row)
        if rng.random() < 0.03:
            rows.append(_court_row(rng, "entity", key, name, today, serial := serial + 1))
        if rng.random() < 0.02:
            department = rng.choice(["fgw", "swj"])
            row = _base(rng, department, "serious_dishonesty", "entity", key, name)
            listed = days_ago(30, 1000)
            row.update(
                list_name="重大税收违法失信主体名单" if department == "swj" else "严重失信主体名单",
                legal_basis="《失信行为纠正后的信用信息修复管理办法（试行）》",
                listed_from=listed,
                listed_until=add_years(listed, 3),
            )
            rows.append(row)
        if rng.random() < 0.15:
            year = today.year - rng.choice([1, 2])
            row = _base(rng, "swj", "red_list", "entity", key, name)
            row.update(
                list_name="纳税信用A级纳税人",
                list_year=year,
                listed_from=datetime.date(year + 1, 4, 1),
                listed_until=datetime.date(year + 2, 3, 31),
            )
            rows.append(row)
    for key, name in persons:
        if rng.random() < 0.02:
            rows.append(_court_row(rng, "person", key, name, today, serial := serial + 1))
    return rows


def _court_row(rng, subject_type, key, name, today, serial):
    row = _base(rng, "gy", "dishonest_debtor", subject_type, key, name)
    listed = today - datetime.timedelta(days=rng.randint(15, 1200))
    performed = rng.random() < 0.3
    row.update(
        case_number=f"（{listed.year}）苏0{rng.randint(102, 199)}执{serial}号",
        obligation=f"支付借款本金及利息共计人民币{rng.randint(2, 90)}万元",
        performance_status="performed" if performed else rng.choice(["unperformed", "partly"]),
        listed_from=listed,
        listed_until=add_years(listed, 2),
    )
    if performed:
        row.update(
            withdrawn_on=min(today, listed + datetime.timedelta(days=rng.randint(30, 300))),
            withdrawal_reason="performed",
        )
    return row


def create_partitioned(model, rows, department, reason="demo seed"):
    """Create ``rows`` of a partitioned dataset, all in ``department``'s own partition, with history.

    Through the hub's one write path (:func:`hub.records.services.write`), like any provider's batch.
    """
    if not rows:
        return 0
    return write(model.dataset_code, rows, department=department, reason=reason, channel="seed")["created"]


DEMO_CONSUMER = "一网通办平台"
# What the demo one-stop platform may see of the credit library (dossier sections, summary).
DEMO_GRANTS = [
    ("credit.legal_entity.uscc", "lookup", False),
    ("credit.legal_entity.name", "lookup", False),
    ("credit.legal_entity.entity_type", "lookup", False),
    ("credit.legal_entity.status", "lookup", False),
    ("credit.legal_entity.legal_representative", "lookup", True),
    ("credit.summary.subject_key", "lookup", False),
]


def grant_demo_consumer():
    from hub.access.choices import Mode
    from hub.access.models import ConsumerSystem, Grant
    from hub.catalogue.models import DataItem

    consumer = ConsumerSystem.objects.filter(name=DEMO_CONSUMER).first()
    if consumer is None:
        return
    for code, mode, masked in DEMO_GRANTS:
        Grant.objects.get_or_create(
            system=consumer,
            item=DataItem.objects.get(code=code),
            defaults={"mode": Mode.from_name(mode), "masked": masked, "purpose": "demo"},
        )


def seed(command, persons=1000):
    """Entities (one per ten persons, at least 20) and their credit records, each from its source."""
    from population.models import Person

    from .models import CreditRecord, LegalEntity

    grant_demo_consumer()
    target = max(20, persons // 10)
    if LegalEntity.objects.exists():
        command.stdout.write(f"Legal entities: {LegalEntity.objects.count()} already present.")
        return
    people = list(Person.objects.order_by("id").values_list("id_number", "name")[: max(persons, 1)])
    entity_rows = list(generate_entities(target, people))
    for department in sorted(set(REGISTRATION_PARTITIONS.values())):
        part = [row for row in entity_rows if row["registration_authority"] == department]
        command.stdout.write(
            f"Legal entities from {department}: {create_partitioned(LegalEntity, part, department)}"
        )
    today = timezone.localdate()
    record_rows = generate_records([(r["uscc"], r["name"]) for r in entity_rows], people, today)
    for department in sorted({row["deciding_department"] for row in record_rows}):
        part = [row for row in record_rows if row["deciding_department"] == department]
        command.stdout.write(
            f"Credit records from {department}: {create_partitioned(CreditRecord, part, department)}"
        )
