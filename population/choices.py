"""Code tables of the population library."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Gender(models.TextChoices):
    """GB/T 2261.1-2003."""

    UNKNOWN = "0", _("Unknown")
    MALE = "1", _("Male")
    FEMALE = "2", _("Female")
    UNSTATED = "9", _("Not stated")


class MaritalStatus(models.TextChoices):
    """GB/T 2261.2-2003."""

    UNMARRIED = "10", _("Unmarried")
    MARRIED = "20", _("Married")
    FIRST_MARRIAGE = "21", _("First marriage")
    REMARRIED = "22", _("Remarried")
    REUNITED = "23", _("Remarried to former spouse")
    WIDOWED = "30", _("Widowed")
    DIVORCED = "40", _("Divorced")
    UNSTATED = "90", _("Not stated")


class EducationLevel(models.TextChoices):
    """GB/T 4658-2006 (main categories and graduation codes)."""

    POSTGRADUATE = "10", _("Postgraduate")
    DOCTORATE = "11", _("Doctoral graduate")
    MASTER = "14", _("Master's graduate")
    BACHELOR_EDUCATION = "20", _("Undergraduate")
    BACHELOR = "21", _("Bachelor's graduate")
    JUNIOR_COLLEGE_EDUCATION = "30", _("Junior college")
    JUNIOR_COLLEGE = "31", _("Junior college graduate")
    VOCATIONAL = "40", _("Secondary vocational")
    VOCATIONAL_GRADUATE = "41", _("Secondary vocational graduate")
    HIGH_SCHOOL_EDUCATION = "60", _("Senior high school")
    HIGH_SCHOOL = "61", _("Senior high school graduate")
    JUNIOR_HIGH_EDUCATION = "70", _("Junior high school")
    JUNIOR_HIGH = "71", _("Junior high school graduate")
    PRIMARY_EDUCATION = "80", _("Primary school")
    PRIMARY = "81", _("Primary school graduate")
    OTHER = "90", _("Other")


class SocialInsuranceStatus(models.TextChoices):
    INSURED = "insured", _("Insured and contributing")
    SUSPENDED = "suspended", _("Contributions suspended")
    TERMINATED = "terminated", _("Insurance terminated")
    NONE = "none", _("Not insured")


# GB 3304-1991: the names are the standard's own and are not translated.
ETHNICITY_NAMES = [
    "汉族",
    "蒙古族",
    "回族",
    "藏族",
    "维吾尔族",
    "苗族",
    "彝族",
    "壮族",
    "布依族",
    "朝鲜族",
    "满族",
    "侗族",
    "瑶族",
    "白族",
    "土家族",
    "哈尼族",
    "哈萨克族",
    "傣族",
    "黎族",
    "傈僳族",
    "佤族",
    "畲族",
    "高山族",
    "拉祜族",
    "水族",
    "东乡族",
    "纳西族",
    "景颇族",
    "柯尔克孜族",
    "土族",
    "达斡尔族",
    "仫佬族",
    "羌族",
    "布朗族",
    "撒拉族",
    "毛南族",
    "仡佬族",
    "锡伯族",
    "阿昌族",
    "普米族",
    "塔吉克族",
    "怒族",
    "乌孜别克族",
    "俄罗斯族",
    "鄂温克族",
    "德昂族",
    "保安族",
    "裕固族",
    "京族",
    "塔塔尔族",
    "独龙族",
    "鄂伦春族",
    "赫哲族",
    "门巴族",
    "珞巴族",
    "基诺族",
]
ETHNICITY_CHOICES = [(f"{i:02d}", name) for i, name in enumerate(ETHNICITY_NAMES, start=1)] + [
    ("97", "其他"),
    ("98", "外国血统中国籍人士"),
]
