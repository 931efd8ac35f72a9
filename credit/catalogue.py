"""The credit library's datasets: legal entities, credit records and the credit summary.

All three are partitioned: legal entities by registration authority (market
regulation registers enterprises, civil affairs social organisations), credit
records by the authority that decided them. Each partition has one source, so
items carry no source of their own.
"""

from hub.catalogue.choices import Masking, Sensitivity, SharingType, UpdateCycle
from hub.catalogue.declarations import DatasetDeclaration, Item, Partition

U, C, N = SharingType.UNCONDITIONAL, SharingType.CONDITIONAL, SharingType.NOT_SHARED
PUBLIC, INTERNAL, SENSITIVE = Sensitivity.PUBLIC, Sensitivity.INTERNAL, Sensitivity.SENSITIVE
NONE = Masking.NONE
OC = UpdateCycle.ON_CHANGE

ENTITY_PARTITIONS = [
    Partition("scjgj", "市场监管部门登记（企业、个体工商户、农民专业合作社）", "scjgj"),
    Partition("mzt", "民政部门登记（社会团体、民办非企业单位、基金会）", "mzt"),
]

# One partition per deciding authority (department code).
RECORD_AUTHORITIES = {
    "scjgj": "市场监管部门",
    "swj": "税务部门",
    "gy": "人民法院",
    "fgw": "发展改革部门（信用办）",
    "zjt": "住房和城乡建设部门",
    "wjw": "卫生健康部门",
    "mzt": "民政部门",
    "sft": "司法行政部门",
    "rst": "人力资源和社会保障部门",
    "gat": "公安部门",
    "jyt": "教育部门",
    "zrzyt": "自然资源部门",
}
RECORD_PARTITIONS = [
    Partition(code, f"{name}作出的信用记录", code) for code, name in RECORD_AUTHORITIES.items()
]


def item(field, name, sharing=U, sensitivity=PUBLIC, masking=NONE, cycle=OC, standard="", **kw):
    return Item(field, name, None, sharing, sensitivity, masking, cycle, standard, **kw)


DATASETS = [
    DatasetDeclaration(
        code="credit.legal_entity",
        library="credit",
        name="法人和非法人组织基本信息",
        model="credit.LegalEntity",
        natural_key="uscc",
        partition_field="registration_authority",
        partitions=ENTITY_PARTITIONS,
        cycle=UpdateCycle.DAILY,
        items=[
            item("uscc", "统一社会信用代码", standard="GB 32100", required=True, key=True),
            item("name", "名称", required=True),
            item("entity_type", "主体类型", standard="GB 32100 登记管理部门码、机构类别码", required=True),
            item("registration_authority", "登记管理部门", required=True),
            item("legal_representative", "法定代表人（负责人）", masking=Masking.NAME),
            item(
                "legal_representative_id_number",
                "法定代表人身份证号码",
                C,
                SENSITIVE,
                Masking.ID_NUMBER,
                standard="GB 11643",
            ),
            item("registered_address", "住所", masking=Masking.ADDRESS),
            item("registered_division", "住所行政区划", standard="GB/T 2260"),
            item("registered_capital", "注册资本（万元）", sensitivity=INTERNAL),
            item("established_date", "成立日期"),
            item("status", "登记状态", required=True),
            item("industry", "行业门类", standard="GB/T 4754-2017"),
        ],
    ),
    DatasetDeclaration(
        code="credit.record",
        library="credit",
        name="信用记录",
        model="credit.CreditRecord",
        natural_key="record_id",
        partition_field="deciding_department",
        partitions=RECORD_PARTITIONS,
        cycle=UpdateCycle.DAILY,
        items=[
            item("record_id", "信用记录标识", required=True, key=True),
            item("kind", "记录类别", required=True),
            item("subject_type", "主体类型", required=True),
            item(
                "subject_key",
                "主体标识（统一社会信用代码或身份证号码）",
                C,
                SENSITIVE,
                Masking.CODE,
                required=True,
            ),
            item("subject_name", "主体名称", C, SENSITIVE, Masking.NAME, required=True),
            item("deciding_department", "决定部门", required=True),
            item("authority_name", "决定机关", required=True),
            item("authority_code", "决定机关统一社会信用代码", standard="GB 32100"),
            item("decision_number", "决定文书号"),
            item("legal_basis", "依据"),
            item("content", "内容"),
            item("severity", "失信程度"),
            item("fine_amount", "罚款金额（万元）"),
            item("confiscated_amount", "没收违法所得、没收非法财物的金额（万元）"),
            item("decision_date", "决定日期"),
            item("publicity_end_date", "公示截止期"),
            item("case_number", "执行案号"),
            item("obligation", "生效法律文书确定的义务", C, INTERNAL),
            item("performance_status", "履行情况"),
            item("list_name", "名单名称"),
            item("list_year", "名单年度"),
            item("listed_from", "列入日期"),
            item("listed_until", "移出日期（有效期至）"),
            item("withdrawn_on", "提前撤下公示日期"),
            item("withdrawal_reason", "撤下原因"),
            item("repair_decision_number", "信用修复决定文书号", C, INTERNAL),
        ],
    ),
    DatasetDeclaration(
        code="credit.summary",
        library="credit",
        name="主体信用概要",
        model="credit.CreditSummary",
        natural_key="record_id",
        partition_field="deciding_department",
        partitions=RECORD_PARTITIONS,
        cycle=UpdateCycle.DAILY,
        description=(
            "The credit summary of a subject (counts of active negative records by kind, list memberships "
            "with dates, red-list status), computed from credit records. A lookup grant on "
            "credit.summary.subject_key allows GET /api/v1/credit/entities|persons/{key}/summary/ and the "
            "dossier's credit section, without any record's details."
        ),
        items=[
            item("record_id", "信用记录标识", N, key=True),
            item("subject_key", "主体信用概要（联合奖惩查询）", C, INTERNAL),
        ],
    ),
]
