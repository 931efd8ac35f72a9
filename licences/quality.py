"""The licence library's default quality rules (loaded by ``manage.py load_quality_rules``).

Every code a licence carries is ASCII; a stored one that is not (written past
the validators, or before they refused it) is a defect a scan reports.
"""

from hub.quality.declarations import ascii_code

L = "licences.licence"

RULES = [
    ascii_code(L, "identifier", description="电子证照标识应为 ASCII 字符"),
    ascii_code(L, "holder_key", description="持证主体代码应为 ASCII 字符"),
    ascii_code(L, "issuer_code", description="发证机构代码应为 ASCII 字符"),
]
