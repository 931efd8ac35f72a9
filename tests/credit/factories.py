"""Builders for credit test data; every write goes through the deciding authority."""

import datetime
import itertools
import random

from credit import services
from credit.demo import AUTHORITY_CODES, AUTHORITY_NAMES, random_uscc
from tests.factories import make_person

_counter = itertools.count(1)


def new_uscc(authority="9", entity_type="1"):
    return random_uscc(random.Random(next(_counter) * 7919), authority, entity_type, "320102")


def make_entity(**overrides):
    """An enterprise registered by market regulation; its representative is in the population library."""
    representative = overrides.pop("representative", None) or make_person()
    code = overrides.pop("uscc", None) or new_uscc()
    partition = {"9": "scjgj", "5": "mzt"}[code[0]]
    values = {
        "uscc": code,
        "name": f"南京恒达科技有限公司{next(_counter)}",
        "entity_type": code[:2],
        "registration_authority": partition,
        "legal_representative": representative.name,
        "legal_representative_id_number": representative.id_number,
        "registered_address": "江苏省南京市玄武区中山路1号",
        "registered_division": "320102",
        "registered_capital": "500.0000",
        "established_date": datetime.date(2015, 6, 1),
        "status": "active",
        "industry": "I",
    }
    values.update(overrides)
    return services.create_entity(values.pop("department", partition), values, reason="test")


def record_values(kind, subject_key, department="scjgj", subject_type="entity", **overrides):
    values = {
        "kind": kind,
        "subject_type": subject_type,
        "subject_key": subject_key,
        "subject_name": "测试主体",
        "deciding_department": department,
        "authority_name": AUTHORITY_NAMES.get(department, department),
        "authority_code": AUTHORITY_CODES.get(department, ""),
    }
    n = next(_counter)
    if kind in ("licensing", "penalty"):
        values.update(decision_number=f"苏{department}字〔2026〕{n}号", decision_date=datetime.date.today())
    if kind == "penalty":
        values.update(
            legal_basis="《中华人民共和国食品安全法》第一百二十四条", content="罚款", fine_amount="1.0000"
        )
    if kind == "dishonest_debtor":
        values.update(
            case_number=f"（2026）苏0102执{n}号",
            obligation="支付货款10万元",
            performance_status="unperformed",
            listed_from=datetime.date.today(),
        )
    if kind in ("serious_dishonesty", "red_list"):
        today = datetime.date.today()
        values.update(
            list_name="严重失信主体名单" if kind == "serious_dishonesty" else "纳税信用A级纳税人",
            listed_from=today,
            listed_until=today + datetime.timedelta(days=365),
        )
    if kind == "serious_dishonesty":
        values["legal_basis"] = "《失信行为纠正后的信用信息修复管理办法（试行）》"
    values.update(overrides)
    return values


def make_record(kind, subject_key, department="scjgj", subject_type="entity", **overrides):
    writer = overrides.pop("writer", department)
    values = record_values(kind, subject_key, department, subject_type, **overrides)
    return services.create_record(writer, values, reason="test")
