"""Code tables of the credit library."""

import datetime

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class EntityStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    MOVED_OUT = "moved_out", _("Moved out")
    SUSPENDED = "suspended", pgettext_lazy("entity status", "Suspended")
    DEREGISTERED = "deregistered", _("Deregistered")
    REVOKED = "revoked", _("Licence revoked")
    CANCELLED = "cancelled", _("Registration cancelled")


# GB/T 4754-2017 sections (门类).
INDUSTRY_SECTIONS = [
    ("A", _("Agriculture, forestry, animal husbandry and fishery")),
    ("B", _("Mining")),
    ("C", _("Manufacturing")),
    ("D", _("Electricity, heat, gas and water production and supply")),
    ("E", _("Construction")),
    ("F", _("Wholesale and retail trade")),
    ("G", _("Transport, storage and post")),
    ("H", _("Accommodation and catering")),
    ("I", _("Information transmission, software and IT services")),
    ("J", _("Finance")),
    ("K", _("Real estate")),
    ("L", _("Leasing and business services")),
    ("M", _("Scientific research and technical services")),
    ("N", _("Water conservancy, environment and public facilities management")),
    ("O", _("Resident services, repair and other services")),
    ("P", _("Education")),
    ("Q", _("Health and social work")),
    ("R", _("Culture, sports and entertainment")),
    ("S", _("Public administration, social security and social organisations")),
    ("T", _("International organisations")),
]

# Registration authority character of a USCC -> the department whose partition holds the entity.
# Only the authorities this library takes entities from (market regulation, civil affairs).
REGISTRATION_PARTITIONS = {"9": "scjgj", "5": "mzt"}


class RecordKind(models.TextChoices):
    LICENSING = "licensing", _("Administrative licensing")
    PENALTY = "penalty", _("Administrative penalty")
    DISHONEST_DEBTOR = "dishonest_debtor", _("Dishonest judgment debtor")
    SERIOUS_DISHONESTY = "serious_dishonesty", _("Serious dishonesty list")
    RED_LIST = "red_list", _("Red list")


NEGATIVE_KINDS = (RecordKind.PENALTY, RecordKind.DISHONEST_DEBTOR, RecordKind.SERIOUS_DISHONESTY)
LIST_KINDS = (RecordKind.DISHONEST_DEBTOR, RecordKind.SERIOUS_DISHONESTY, RecordKind.RED_LIST)
REPAIRABLE_KINDS = (RecordKind.PENALTY, RecordKind.SERIOUS_DISHONESTY)


class SubjectType(models.TextChoices):
    ENTITY = "entity", _("Legal entity or other organisation")
    PERSON = "person", _("Natural person")


class Severity(models.TextChoices):
    ORDINARY = "ordinary", _("Ordinary")
    SERIOUS = "serious", _("Serious")


class PerformanceStatus(models.TextChoices):
    UNPERFORMED = "unperformed", _("Not performed")
    PARTLY = "partly", _("Partly performed")
    PERFORMED = "performed", _("Performed")


class WithdrawalReason(models.TextChoices):
    REPAIR = "repair", _("Credit repair")
    PERFORMED = "performed", _("Obligation performed")
    REVOKED = "revoked", _("Decision revoked or changed")


class RepairStatus(models.TextChoices):
    PENDING = "pending", pgettext_lazy("credit repair", "Pending")
    APPROVED = "approved", pgettext_lazy("credit repair", "Approved")
    REJECTED = "rejected", pgettext_lazy("credit repair", "Rejected")


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
