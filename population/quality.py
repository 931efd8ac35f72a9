"""The population library's default quality rules (loaded by ``manage.py load_quality_rules``)."""

from hub.quality.choices import Dimension, RuleKind, Severity
from hub.quality.declarations import Rule, checksum, codetable, required

P = "population.person"

RULES = [
    required(P, "name", description="姓名不能为空"),
    required(P, "gender", description="性别不能为空"),
    required(P, "birth_date", description="出生日期不能为空"),
    required(P, "household_division", Severity.MEDIUM, description="户籍地行政区划不能为空"),
    checksum(P, "id_number", "cn_ric", Severity.CRITICAL),
    Rule(
        P,
        "name",
        RuleKind.FORMAT,
        Dimension.VALIDITY,
        Severity.MEDIUM,
        {"min_length": 2, "max_length": 30, "regex": r"^[^0-9A-Za-z\s]+$"},
        description="姓名应为 2–30 个非数字、非拉丁字母字符",
    ),
    codetable(P, "gender", Severity.HIGH, description="性别应符合 GB/T 2261.1"),
    codetable(P, "ethnicity", description="民族应符合 GB 3304"),
    codetable(P, "marital_status", description="婚姻状况应符合 GB/T 2261.2"),
    codetable(P, "education_level", Severity.LOW, description="学历应符合 GB/T 4658"),
    Rule(
        P,
        "birth_date",
        RuleKind.RANGE,
        Dimension.VALIDITY,
        Severity.HIGH,
        {"min": "1880-01-01", "max": "today"},
        description="出生日期应在 1880-01-01 与今天之间",
    ),
    Rule(
        P,
        "birth_date",
        RuleKind.ID_CONSISTENCY,
        Dimension.CONSISTENCY,
        Severity.HIGH,
        {"id_field": "id_number", "part": "birth_date"},
        description="出生日期应与公民身份号码一致",
    ),
    Rule(
        P,
        "gender",
        RuleKind.ID_CONSISTENCY,
        Dimension.CONSISTENCY,
        Severity.HIGH,
        {"id_field": "id_number", "part": "gender"},
        description="性别应与公民身份号码顺序码一致",
    ),
    Rule(
        P,
        "death_date",
        RuleKind.ORDER,
        Dimension.CONSISTENCY,
        Severity.MEDIUM,
        {"after": "birth_date"},
        description="死亡日期不能早于出生日期",
    ),
    Rule(
        P,
        "household_division",
        RuleKind.REFERENCE,
        Dimension.CONSISTENCY,
        Severity.MEDIUM,
        # Through the geodata library's public division list (every GB/T 2260 code ever in force).
        {"values_from": "geodata.divisions.all_codes"},
        description="户籍地行政区划应存在于空间地理库",
    ),
    Rule(
        P,
        "name",
        RuleKind.UNIQUENESS,
        Dimension.UNIQUENESS,
        Severity.MEDIUM,
        {"fields": ["name", "birth_date"]},
        description="疑似重复：姓名、出生日期相同而身份号码不同",
        name="suspected_duplicate",
    ),
    Rule(
        P,
        "social_insurance_status",
        RuleKind.FRESHNESS,
        Dimension.TIMELINESS,
        Severity.LOW,
        description="社会保险参保状态应按月更新",
    ),
]
