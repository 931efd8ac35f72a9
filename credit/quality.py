"""The credit library's default quality rules (loaded by ``manage.py load_quality_rules``)."""

from hub.quality.choices import Dimension, RuleKind, Severity
from hub.quality.declarations import Rule, ascii_code, checksum, codetable, required

E = "credit.legal_entity"
R = "credit.record"


def order(dataset, item, after, description, severity=Severity.HIGH):
    return Rule(dataset, item, RuleKind.ORDER, Dimension.CONSISTENCY, severity, {"after": after}, description)


RULES = [
    # legal entities
    checksum(E, "uscc", "cn_uscc", Severity.CRITICAL),
    required(E, "name", description="名称不能为空"),
    required(E, "legal_representative", Severity.MEDIUM, description="法定代表人（负责人）不能为空"),
    codetable(
        E, "entity_type", Severity.HIGH, description="主体类型应符合 GB 32100 登记管理部门码和机构类别码"
    ),
    codetable(E, "status", description="登记状态应在代码表内"),
    codetable(E, "industry", Severity.LOW, description="行业门类应符合 GB/T 4754-2017"),
    checksum(E, "legal_representative_id_number", "cn_ric", Severity.HIGH),
    Rule(
        E,
        "legal_representative_id_number",
        RuleKind.REFERENCE,
        Dimension.CONSISTENCY,
        Severity.MEDIUM,
        {"dataset": "population.person"},
        description="法定代表人应存在于人口库",
    ),
    Rule(
        E,
        "registered_division",
        RuleKind.REFERENCE,
        Dimension.CONSISTENCY,
        Severity.MEDIUM,
        {"values_from": "geodata.divisions.all_codes"},
        description="住所行政区划应存在于空间地理库",
    ),
    Rule(
        E,
        "established_date",
        RuleKind.RANGE,
        Dimension.VALIDITY,
        Severity.MEDIUM,
        {"min": "1949-10-01", "max": "today"},
        description="成立日期应在 1949-10-01 与今天之间",
    ),
    # credit records
    ascii_code(R, "record_id", description="信用记录标识应为 ASCII 字符"),
    ascii_code(R, "subject_key", description="主体标识应为 ASCII 字符"),
    required(R, "subject_name", description="主体名称不能为空"),
    required(R, "authority_name", description="决定机关不能为空"),
    codetable(R, "kind", Severity.HIGH, description="记录类别应在代码表内"),
    codetable(R, "severity", Severity.LOW, description="失信程度应在代码表内"),
    checksum(R, "authority_code", "cn_uscc", Severity.MEDIUM),
    order(R, "publicity_end_date", "decision_date", "公示截止期不能早于决定日期"),
    order(R, "listed_until", "listed_from", "移出日期不能早于列入日期"),
    order(R, "withdrawn_on", "listed_from", "提前撤下日期不能早于列入日期", Severity.MEDIUM),
]
