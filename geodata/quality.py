"""The spatial libraries' default quality rules (loaded by ``manage.py load_quality_rules``).

Division codes, real-estate unit numbers and the other coded keys are ASCII;
a stored one that is not is a defect a scan reports.
"""

from hub.quality.declarations import ascii_code

RULES = [
    ascii_code("geodata.division", "code", description="行政区划代码应为 ASCII 数字"),
    ascii_code("geodata.parcel", "unit_number", description="不动产单元号应为 ASCII 字符"),
    ascii_code("geodata.address", "address_code", description="标准地址编码应为 ASCII 字符"),
    ascii_code("geodata.address", "division_code", description="行政区划代码应为 ASCII 数字"),
    ascii_code("geodata.place_name", "place_code", description="地名代码应为 ASCII 字符"),
    ascii_code("geodata.resource_unit", "unit_code", description="自然资源单元代码应为 ASCII 字符"),
]
