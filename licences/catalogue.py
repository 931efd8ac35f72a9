"""The licence dataset: partitioned by licence type, each type's issuing department its one source."""

from hub.catalogue.choices import Masking, Sensitivity, SharingType, UpdateCycle
from hub.catalogue.declarations import DatasetDeclaration, Item, Partition

from . import reference

U, C = SharingType.UNCONDITIONAL, SharingType.CONDITIONAL
PUBLIC, INTERNAL, SENSITIVE = Sensitivity.PUBLIC, Sensitivity.INTERNAL, Sensitivity.SENSITIVE

DATASETS = [
    DatasetDeclaration(
        code="licences.licence",
        library="licences",
        name="电子证照",
        model="licences.Licence",
        natural_key="identifier",
        partition_field="licence_type",
        cycle=UpdateCycle.REALTIME,
        description="Electronic licences by type; each type's issuing department is their one source.",
        items=[
            Item("identifier", "证照标识", None, U, PUBLIC, standard="GB/T 36904", required=True, key=True),
            Item("licence_type", "证照类型代码", None, U, PUBLIC, required=True),
            Item("number", "证照编号", None, C, INTERNAL, Masking.CODE, required=True),
            Item("holder_kind", "持证主体类别", None, U, PUBLIC, required=True),
            Item(
                "holder_key",
                "持证主体代码",
                None,
                C,
                SENSITIVE,
                Masking.ID_NUMBER,
                standard="GB 11643 / GB 32100",
                required=True,
            ),
            Item("holder_name", "持证主体", None, C, SENSITIVE, Masking.NAME, required=True),
            Item("issuing_authority", "证照颁发机构", None, U, PUBLIC, required=True),
            Item("issuer_code", "证照颁发机构代码", None, U, PUBLIC, standard="GB 32100", required=True),
            Item("issue_date", "颁证日期", None, C, INTERNAL, standard="GB/T 7408", required=True),
            Item("valid_from", "有效期起始日期", None, C, INTERNAL, required=True),
            Item("valid_to", "有效期截止日期", None, C, INTERNAL),
            Item("status", "证照状态", None, U, PUBLIC, required=True),
            Item("status_reason", "状态变更原因", None, C, INTERNAL),
            Item("division_code", "证照所属行政区划", None, C, INTERNAL, standard="GB/T 2260"),
            Item("surface_data", "照面信息", None, C, SENSITIVE, Masking.FULL),
            Item("file_digest", "证照文件摘要", None, C, INTERNAL, standard="SHA-256"),
            Item("signature", "证照数据签名", None, U, PUBLIC, standard="Ed25519"),
            Item("signing_key_id", "签名密钥标识", None, U, PUBLIC),
        ],
        partitions=[Partition(t["code"], t["name"], t["issuing_department"]) for t in reference.types()],
    )
]
