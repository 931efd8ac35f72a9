"""Datasets of the spatial geography and natural resources libraries, one source per item.

Division codes, names and lineage come from civil affairs (mzt); boundaries
and every column derived from them from natural resources (zrzyt); standard
addresses from public security (gat); place names from civil affairs;
parcels and resource units from natural resources.
"""

from hub.catalogue.choices import Masking, Sensitivity, SharingType, UpdateCycle
from hub.catalogue.declarations import DatasetDeclaration, Item

U, C = SharingType.UNCONDITIONAL, SharingType.CONDITIONAL
PUBLIC, INTERNAL, SENSITIVE = Sensitivity.PUBLIC, Sensitivity.INTERNAL, Sensitivity.SENSITIVE
NONE = Masking.NONE


def geometry_items(source, sharing=U, sensitivity=PUBLIC, cycle=UpdateCycle.ON_CHANGE):
    """The geometry item and the box and centroid derived from it: one source for all."""
    names = [
        ("geometry", "空间范围（GeoJSON）", "RFC 7946 / CGCS2000"),
        ("min_lon", "外包框最小经度", "CGCS2000"),
        ("min_lat", "外包框最小纬度", "CGCS2000"),
        ("max_lon", "外包框最大经度", "CGCS2000"),
        ("max_lat", "外包框最大纬度", "CGCS2000"),
        ("centroid_lon", "中心点经度", "CGCS2000"),
        ("centroid_lat", "中心点纬度", "CGCS2000"),
    ]
    return [Item(field, name, source, sharing, sensitivity, NONE, cycle, std) for field, name, std in names]


DATASETS = [
    DatasetDeclaration(
        code="geodata.division",
        library="spatial_geography",
        name="行政区划",
        model="geodata.Division",
        natural_key="code",
        cycle=UpdateCycle.YEARLY,
        description="GB/T 2260 divisions with lineage; boundaries from natural resources.",
        items=[
            Item("code", "行政区划代码", "mzt", U, PUBLIC, NONE, UpdateCycle.YEARLY, "GB/T 2260", True, True),
            Item("name", "行政区划名称", "mzt", U, PUBLIC, NONE, UpdateCycle.YEARLY, "GB/T 2260", True),
            Item("level", "区划级别", "mzt", U, PUBLIC, NONE, UpdateCycle.YEARLY, required=True),
            Item("parent_code", "上级行政区划代码", "mzt", U, PUBLIC, NONE, UpdateCycle.YEARLY, "GB/T 2260"),
            Item("valid_from", "启用日期", "mzt", U, PUBLIC, NONE, UpdateCycle.YEARLY),
            Item("valid_until", "停用日期", "mzt", U, PUBLIC, NONE, UpdateCycle.YEARLY),
            Item("successor_codes", "变更后区划代码", "mzt", U, PUBLIC, NONE, UpdateCycle.YEARLY),
            *geometry_items("zrzyt"),
            Item("boundary_source", "界线数据来源", "zrzyt", U, PUBLIC, NONE, UpdateCycle.YEARLY),
        ],
    ),
    DatasetDeclaration(
        code="geodata.address",
        library="spatial_geography",
        name="标准地址",
        model="geodata.Address",
        natural_key="address_code",
        cycle=UpdateCycle.DAILY,
        items=[
            Item(
                "address_code",
                "标准地址编码",
                "gat",
                U,
                INTERNAL,
                NONE,
                UpdateCycle.ON_CHANGE,
                "",
                True,
                True,
            ),
            Item(
                "full_address",
                "标准地址全称",
                "gat",
                C,
                SENSITIVE,
                Masking.ADDRESS,
                UpdateCycle.DAILY,
                "",
                True,
            ),
            Item(
                "division_code",
                "所属行政区划",
                "gat",
                U,
                INTERNAL,
                NONE,
                UpdateCycle.DAILY,
                "GB/T 2260",
                True,
            ),
            Item("lon", "经度", "gat", C, INTERNAL, NONE, UpdateCycle.DAILY, "CGCS2000", True),
            Item("lat", "纬度", "gat", C, INTERNAL, NONE, UpdateCycle.DAILY, "CGCS2000", True),
        ],
    ),
    DatasetDeclaration(
        code="geodata.place_name",
        library="spatial_geography",
        name="标准地名",
        model="geodata.PlaceName",
        natural_key="place_code",
        cycle=UpdateCycle.MONTHLY,
        items=[
            Item(
                "place_code",
                "地名代码",
                "mzt",
                U,
                PUBLIC,
                NONE,
                UpdateCycle.ON_CHANGE,
                "GB/T 18521",
                True,
                True,
            ),
            Item("name", "标准名称", "mzt", U, PUBLIC, NONE, UpdateCycle.MONTHLY, "GB/T 18521", True),
            Item("category", "地名类别", "mzt", U, PUBLIC, NONE, UpdateCycle.MONTHLY, "GB/T 18521", True),
            Item(
                "division_code",
                "所属行政区划",
                "mzt",
                U,
                PUBLIC,
                NONE,
                UpdateCycle.MONTHLY,
                "GB/T 2260",
                True,
            ),
            Item("lon", "经度", "mzt", U, PUBLIC, NONE, UpdateCycle.MONTHLY, "CGCS2000", True),
            Item("lat", "纬度", "mzt", U, PUBLIC, NONE, UpdateCycle.MONTHLY, "CGCS2000", True),
        ],
    ),
    DatasetDeclaration(
        code="geodata.parcel",
        library="natural_resources",
        name="宗地（不动产单元）",
        model="geodata.Parcel",
        natural_key="unit_number",
        cycle=UpdateCycle.DAILY,
        items=[
            Item(
                "unit_number",
                "不动产单元号",
                "zrzyt",
                U,
                INTERNAL,
                Masking.CODE,
                UpdateCycle.ON_CHANGE,
                "GB/T 37346-2019",
                True,
                True,
            ),
            Item(
                "land_use_class",
                "土地用途（一级类）",
                "zrzyt",
                U,
                INTERNAL,
                NONE,
                UpdateCycle.DAILY,
                "GB/T 21010-2017",
                True,
            ),
            Item(
                "land_use",
                "土地用途（二级类）",
                "zrzyt",
                U,
                INTERNAL,
                NONE,
                UpdateCycle.DAILY,
                "GB/T 21010-2017",
                True,
            ),
            Item("ownership", "土地所有权性质", "zrzyt", U, INTERNAL, NONE, UpdateCycle.DAILY, "", True),
            Item("right_type", "权利类型", "zrzyt", C, INTERNAL, NONE, UpdateCycle.DAILY, "", True),
            Item("area", "宗地面积（平方米）", "zrzyt", U, INTERNAL, NONE, UpdateCycle.DAILY, "", True),
            *geometry_items("zrzyt", sharing=C, sensitivity=INTERNAL, cycle=UpdateCycle.DAILY),
        ],
    ),
    DatasetDeclaration(
        code="geodata.resource_unit",
        library="natural_resources",
        name="自然资源登记单元",
        model="geodata.ResourceUnit",
        natural_key="unit_code",
        cycle=UpdateCycle.QUARTERLY,
        items=[
            Item(
                "unit_code", "登记单元代码", "zrzyt", U, PUBLIC, NONE, UpdateCycle.ON_CHANGE, "", True, True
            ),
            Item("name", "登记单元名称", "zrzyt", U, PUBLIC, NONE, UpdateCycle.QUARTERLY, "", True),
            Item("resource_type", "自然资源类型", "zrzyt", U, PUBLIC, NONE, UpdateCycle.QUARTERLY, "", True),
            Item(
                "division_code", "所属行政区划", "zrzyt", U, PUBLIC, NONE, UpdateCycle.QUARTERLY, "GB/T 2260"
            ),
            Item("area", "面积（平方米）", "zrzyt", U, PUBLIC, NONE, UpdateCycle.QUARTERLY, "", True),
            *geometry_items("zrzyt", sharing=U, sensitivity=PUBLIC, cycle=UpdateCycle.QUARTERLY),
        ],
    ),
]
