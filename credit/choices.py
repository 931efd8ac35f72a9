"""Code tables of the credit library."""

import datetime

from django.db import models
from django.utils.translation import gettext_lazy as _


class EntityStatus(models.TextChoices):
    ACTIVE = "active", _("存续（在营、开业、在册）")
    MOVED_OUT = "moved_out", _("迁出")
    SUSPENDED = "suspended", _("停业")
    DEREGISTERED = "deregistered", _("注销")
    REVOKED = "revoked", _("吊销")
    CANCELLED = "cancelled", _("撤销")


# GB/T 4754-2017 sections (门类).
INDUSTRY_SECTIONS = [
    ("A", _("农、林、牧、渔业")),
    ("B", _("采矿业")),
    ("C", _("制造业")),
    ("D", _("电力、热力、燃气及水生产和供应业")),
    ("E", _("建筑业")),
    ("F", _("批发和零售业")),
    ("G", _("交通运输、仓储和邮政业")),
    ("H", _("住宿和餐饮业")),
    ("I", _("信息传输、软件和信息技术服务业")),
    ("J", _("金融业")),
    ("K", _("房地产业")),
    ("L", _("租赁和商务服务业")),
    ("M", _("科学研究和技术服务业")),
    ("N", _("水利、环境和公共设施管理业")),
    ("O", _("居民服务、修理和其他服务业")),
    ("P", _("教育")),
    ("Q", _("卫生和社会工作")),
    ("R", _("文化、体育和娱乐业")),
    ("S", _("公共管理、社会保障和社会组织")),
    ("T", _("国际组织")),
]

# Registration authority character of a USCC -> the department whose partition holds the entity.
# Only the authorities this library takes entities from (market regulation, civil affairs).
REGISTRATION_PARTITIONS = {"9": "scjgj", "5": "mzt"}


class RecordKind(models.TextChoices):
    LICENSING = "licensing", _("行政许可")
    PENALTY = "penalty", _("行政处罚")
    DISHONEST_DEBTOR = "dishonest_debtor", _("失信被执行人")
    SERIOUS_DISHONESTY = "serious_dishonesty", _("严重失信主体名单")
    RED_LIST = "red_list", _("守信激励（红名单）")


NEGATIVE_KINDS = (RecordKind.PENALTY, RecordKind.DISHONEST_DEBTOR, RecordKind.SERIOUS_DISHONESTY)
LIST_KINDS = (RecordKind.DISHONEST_DEBTOR, RecordKind.SERIOUS_DISHONESTY, RecordKind.RED_LIST)
REPAIRABLE_KINDS = (RecordKind.PENALTY, RecordKind.SERIOUS_DISHONESTY)


class SubjectType(models.TextChoices):
    ENTITY = "entity", _("法人和非法人组织")
    PERSON = "person", _("自然人")


class Severity(models.TextChoices):
    ORDINARY = "ordinary", _("一般失信行为")
    SERIOUS = "serious", _("严重失信行为")


class PerformanceStatus(models.TextChoices):
    UNPERFORMED = "unperformed", _("全部未履行")
    PARTLY = "partly", _("部分未履行")
    PERFORMED = "performed", _("已履行")


class WithdrawalReason(models.TextChoices):
    REPAIR = "repair", _("信用修复")
    PERFORMED = "performed", _("已履行义务")
    REVOKED = "revoked", _("决定撤销或变更")


class RepairStatus(models.TextChoices):
    PENDING = "pending", _("待决定")
    APPROVED = "approved", _("准予修复")
    REJECTED = "rejected", _("不予修复")


def add_years(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def add_months(day: datetime.date, months: int) -> datetime.date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return day.replace(year=year, month=month, day=min(day.day, last))
        except ValueError:
            continue
    raise ValueError(day)


# Publicity periods (国家发展改革委《失信行为纠正后的信用信息修复管理办法（试行）》, 2023 令第58号;
# 行政许可 on 信用中国: 3 years). (minimum before repair, maximum = automatic take-down), in months.
PUBLICITY_MONTHS = {
    (RecordKind.PENALTY, Severity.ORDINARY): (3, 12),
    (RecordKind.PENALTY, Severity.SERIOUS): (12, 36),
    (RecordKind.LICENSING, ""): (0, 36),
}
