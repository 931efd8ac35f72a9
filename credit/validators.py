"""Unified social credit code (GB 32100-2015) and the checks the credit library makes.

A code is 18 characters from the 31-character set ``0-9 A-Z`` without I, O, S,
V, Z:

====== ===================================================
1      registration authority (登记管理部门码)
2      organisation type within that authority (机构类别码)
3-8    GB/T 2260 division of the registering authority
9-17   GB 11714 organisation code, its own check at 17
18     check character: weights 3^i mod 31, (31 - sum % 31) % 31
====== ===================================================

Two layers:

* :func:`uscc_checksum_ok` is the structure and check-character rule exactly
  as ``stdnum.cn.uscc.is_valid`` applies it (the reference; a test compares
  both on generated codes).
* :func:`validate_uscc` is the full rule: the above, plus a registration
  authority and type that GB 32100 defines, plus the embedded GB 11714
  organisation code check. Codes on the operator-kept legacy allow-list
  (:class:`credit.models.LegacyCode`) pass the two checksum tests even when
  they fail them (old codes issued with a wrong check character still
  identify real entities); they never pass the structure tests.
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from hub.records.codes import ascii_upper, coded, validate_ascii

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = tuple(pow(3, i, 31) for i in range(17))  # 1, 3, 9, 27, 19, 26, 16, 17, 20, ...
ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)

# GB 32100-2015 table 1 with its later additions (A: CMC reform office, N: agriculture).
# {authority: (authority name, {type: type name})}
REGISTRATION_AUTHORITIES = {
    "1": ("机构编制", {"1": "机关", "2": "事业单位", "3": "中央编办直接管理机构编制的群众团体", "9": "其他"}),
    "2": ("外交", {"1": "外国常驻新闻机构", "9": "其他"}),
    "3": (
        "司法行政",
        {
            "1": "律师执业机构",
            "2": "公证处",
            "3": "基层法律服务所",
            "4": "司法鉴定机构",
            "5": "仲裁委员会",
            "9": "其他",
        },
    ),
    "4": ("文化", {"1": "外国在华文化中心", "9": "其他"}),
    "5": ("民政", {"1": "社会团体", "2": "民办非企业单位", "3": "基金会", "9": "其他"}),
    "6": (
        "旅游",
        {"1": "外国旅游部门常驻代表机构", "2": "港澳台地区旅游部门常驻内地（大陆）代表机构", "9": "其他"},
    ),
    "7": ("宗教", {"1": "宗教活动场所", "2": "宗教院校", "9": "其他"}),
    "8": ("工会", {"1": "基层工会", "9": "其他"}),
    "9": ("工商", {"1": "企业", "2": "个体工商户", "3": "农民专业合作社"}),
    "A": ("中央军委改革和编制办公室", {"1": "军队事业单位", "9": "其他"}),
    "N": ("农业", {"1": "组级集体经济组织", "2": "村级集体经济组织", "3": "乡镇级集体经济组织", "9": "其他"}),
    "Y": ("其他", {"1": "其他"}),
}

ENTITY_TYPES = {
    f"{a}{t}": f"{a_name}：{t_name}"
    for a, (a_name, types) in REGISTRATION_AUTHORITIES.items()
    for t, t_name in types.items()
}


def normalize_uscc(value) -> str:
    """Spaces and dashes dropped, ASCII letters upper-cased; any other character is kept (and refused)."""
    return ascii_upper(str(value or "").replace(" ", "").replace("-", ""))


def uscc_check_char(first17: str) -> str:
    """GB 32100 check character of the first 17 characters."""
    total = sum(ALPHABET.index(c) * w for c, w in zip(first17, WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def org_code_check_char(first8: str) -> str:
    """GB 11714 check character of an organisation code body (8 digits or letters)."""
    total = sum(int(c, 36) * w for c, w in zip(first8, ORG_WEIGHTS, strict=True))
    check = 11 - total % 11
    return "X" if check == 10 else "0" if check == 11 else str(check)


def uscc_checksum_ok(value) -> bool:
    """Structure and check character as ``stdnum.cn.uscc`` checks them (its reference rule)."""
    code = normalize_uscc(value)
    return (
        len(code) == 18
        and code[:8].isascii()
        and code[:8].isdigit()
        and all(c in ALPHABET for c in code[8:])
        and code[17] == uscc_check_char(code[:17])
    )


def entity_type_of(code: str) -> str:
    """The entity type (authority + type characters), e.g. ``"91"`` for an enterprise."""
    return normalize_uscc(code)[:2]


def is_legacy_code(code: str) -> bool:
    from django.apps import apps
    from django.db import DatabaseError

    try:
        return apps.get_model("credit", "LegacyCode").objects.filter(code=code).exists()
    except (LookupError, DatabaseError):
        return False


@coded
def validate_uscc(value, *, allow_legacy=True):
    """GB 32100 in full; raises ValidationError naming the first problem found."""
    code = normalize_uscc(value)
    validate_ascii(code, _("Unified social credit code"))
    if len(code) != 18:
        raise ValidationError(
            _("Unified social credit code must have 18 characters, got %(n)d."),
            code="uscc_length",
            params={"n": len(code)},
        )
    bad = sorted({c for c in code if c not in ALPHABET})
    if bad:
        raise ValidationError(
            _("Unified social credit code contains characters outside GB 32100's set: %(chars)s."),
            code="uscc_charset",
            params={"chars": "".join(bad)},
        )
    authority = REGISTRATION_AUTHORITIES.get(code[0])
    if authority is None:
        raise ValidationError(
            _("Unknown registration authority code %(a)s (entity type %(t)s)."),
            code="uscc_entity_type",
            params={"a": code[0], "t": code[:2]},
        )
    if code[1] not in authority[1]:
        raise ValidationError(
            _("Unknown entity type %(t)s: authority %(a)s has no type %(k)s."),
            code="uscc_entity_type",
            params={"t": code[:2], "a": code[0], "k": code[1]},
        )
    if not code[2:8].isdigit():
        raise ValidationError(
            _("Characters 3 to 8 of a unified social credit code must be a division code."),
            code="uscc_division",
        )
    problems = []
    expected_org = org_code_check_char(code[8:16])
    if code[16] != expected_org:
        problems.append(
            ValidationError(
                _("Embedded organisation code %(org)s fails its GB 11714 check: %(got)s, expected %(exp)s."),
                code="uscc_org_checksum",
                params={"org": code[8:17], "got": code[16], "exp": expected_org},
            )
        )
    expected = uscc_check_char(code[:17])
    if code[17] != expected:
        problems.append(
            ValidationError(
                _("Unified social credit code's check character is %(got)s, expected %(exp)s."),
                code="uscc_checksum",
                params={"got": code[17], "exp": expected},
            )
        )
    if problems and not (allow_legacy and is_legacy_code(code)):
        raise problems[-1] if len(problems) == 1 else ValidationError(problems)


def is_valid_uscc(value) -> bool:
    try:
        validate_uscc(value)
    except ValidationError:
        return False
    return True
