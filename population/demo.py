"""Synthetic but plausible persons for demos, tests and benchmarks."""

import datetime
import random

from geodata.divisions import current_counties

from .validators import id_check_char

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡"
    "余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯"
    "龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
GIVEN = (
    "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国玉兰红梅海燕晨阳浩然子"
    "涵欣怡宇轩梓萱一诺思远文博雨桐嘉怡俊杰佳琪志强春生秋菊冬梅"
)
STREETS = ["中山路", "解放路", "人民路", "建设路", "和平路", "长江路", "淮海路", "太湖路", "运河路", "钟山路"]


def make_id_number(county, birth, sequence, male):
    """A GB 11643 number: county code, birth date, 3-digit sequence (odd male), check char."""
    seq = sequence % 500 * 2 + (1 if male else 0)
    first17 = f"{county}{birth:%Y%m%d}{seq:03d}"
    return first17 + id_check_char(first17)


def generate_persons(count, seed=2026, start=0):
    """Yield ``count`` person rows (dicts of item field → value) with unique valid ID numbers."""
    rng = random.Random(seed)
    counties = current_counties("32")
    base = datetime.date(1930, 1, 1)
    span = (datetime.date(2020, 12, 31) - base).days
    seen = set()
    produced = 0
    n = start
    while produced < count:
        n += 1
        county = counties[rng.randrange(len(counties))]
        birth = base + datetime.timedelta(days=rng.randrange(span))
        male = rng.random() < 0.51
        number = make_id_number(county, birth, rng.randrange(500), male)
        if number in seen:
            continue
        seen.add(number)
        produced += 1
        given = GIVEN[rng.randrange(len(GIVEN))] + (
            GIVEN[rng.randrange(len(GIVEN))] if rng.random() < 0.7 else ""
        )
        age = (datetime.date(2026, 1, 1) - birth).days // 365
        yield {
            "id_number": number,
            "name": SURNAMES[rng.randrange(len(SURNAMES))] + given,
            "gender": "1" if male else "2",
            "ethnicity": "01" if rng.random() < 0.97 else f"{rng.randint(2, 56):02d}",
            "birth_date": birth,
            "birthplace_division": county,
            "household_division": county,
            "household_address": f"江苏省{STREETS[rng.randrange(len(STREETS))]}{rng.randint(1, 999)}号",
            "residence_address": (
                f"江苏省{STREETS[rng.randrange(len(STREETS))]}{rng.randint(1, 999)}号{rng.randint(1, 30)}幢"
            ),
            "marital_status": ("10" if age < 22 else rng.choice(["20", "20", "20", "40", "30", "21"])),
            "education_level": rng.choice(["21", "31", "61", "71", "81", "14", "11"]) if age > 22 else "",
            "social_insurance_status": ("insured" if 18 <= age < 65 else rng.choice(["none", "terminated"])),
            "death_date": None,
        }


# Which department delivers which items of a synthetic person (一数一源).
SOURCE_ITEMS = {
    "gat": [
        "name",
        "gender",
        "ethnicity",
        "birth_date",
        "birthplace_division",
        "household_division",
        "household_address",
        "residence_address",
    ],
    "mzt": ["marital_status"],
    "jyt": ["education_level"],
    "rst": ["social_insurance_status"],
}


def seed(command, persons=1000):
    """Create ``persons`` synthetic persons, each source department loading its own items."""
    from hub.records.ingest import ingest

    from .models import Person

    existing = Person.objects.count()
    if existing >= persons:
        command.stdout.write(f"Persons: {existing} already present.")
        return
    rows = list(generate_persons(persons - existing, start=existing, seed=2026 + existing))
    for department, fields in SOURCE_ITEMS.items():
        part = ({"id_number": row["id_number"], **{f: row[f] for f in fields}} for row in rows)
        report = ingest(
            "population.person", part, department=department, channel="seed", reason="demo seed"
        ).report
        counts = {k: report[k] for k in ("created", "updated", "unchanged", "rejected_count")}
        command.stdout.write(f"Persons from {department}: {counts}")
