"""Code tables of the natural resources and spatial geography libraries."""

from django.db import models
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

# The province's extent in CGCS2000 longitude/latitude (min_lon, min_lat, max_lon, max_lat).
# Jiangsu spans 116°18'–121°57'E and 30°45'–35°20'N; every geometry written must lie inside.
PROVINCE_CODE = "320000"
PROVINCE_EXTENT = (116.30, 30.75, 121.95, 35.35)

# Declared areas must agree with the area computed from the geometry within this relative tolerance.
AREA_TOLERANCE = 0.02


class DivisionLevel(models.TextChoices):
    PROVINCE = "province", _("Province")
    CITY = "city", _("City")
    COUNTY = "county", _("County")
    TOWNSHIP = "township", _("Township")


# The levels and ownerships as words in running text ("a county", "state ownership"); the labels
# above are headings and do not read inside a sentence. An unknown code is shown as it is.
LEVEL_WORDS = {
    DivisionLevel.PROVINCE: pgettext_lazy("division level, in a sentence", "province"),
    DivisionLevel.CITY: pgettext_lazy("division level, in a sentence", "city"),
    DivisionLevel.COUNTY: pgettext_lazy("division level, in a sentence", "county"),
    DivisionLevel.TOWNSHIP: pgettext_lazy("division level, in a sentence", "township"),
}


def level_word(level):
    return str(LEVEL_WORDS.get(level, level))


def level_words(levels):
    """``county``, ``city or county``, ``province or city or county``: each level in words."""
    words = [level_word(level) for level in levels]
    text = words[0] if words else ""
    for word in words[1:]:
        text = gettext("%(either)s or %(other)s") % {"either": text, "other": word}
    return text


# The level a division's parent must have.
PARENT_LEVEL = {
    DivisionLevel.CITY: DivisionLevel.PROVINCE,
    DivisionLevel.COUNTY: DivisionLevel.CITY,
    DivisionLevel.TOWNSHIP: DivisionLevel.COUNTY,
}
LEVEL_DEPTH = {
    DivisionLevel.PROVINCE: 0,
    DivisionLevel.CITY: 1,
    DivisionLevel.COUNTY: 2,
    DivisionLevel.TOWNSHIP: 3,
}


class Ownership(models.TextChoices):
    STATE = "state", _("State-owned")
    COLLECTIVE = "collective", _("Collectively owned")


OWNERSHIP_WORDS = {
    Ownership.STATE: pgettext_lazy("land ownership, in a sentence", "state"),
    Ownership.COLLECTIVE: pgettext_lazy("land ownership, in a sentence", "collective"),
}


def ownership_word(ownership):
    return str(OWNERSHIP_WORDS.get(ownership, ownership))


class RightType(models.TextChoices):
    """Land rights registered on a parcel (不动产登记 权利类型)."""

    STATE_OWNERSHIP = "state_ownership", _("State land ownership")
    COLLECTIVE_OWNERSHIP = "collective_ownership", _("Collective land ownership")
    STATE_CONSTRUCTION_USE = "state_construction_use", _("State construction land use right")
    COLLECTIVE_CONSTRUCTION_USE = "collective_construction_use", _("Collective construction land use right")
    HOMESTEAD_USE = "homestead_use", _("Homestead use right")
    CONTRACTED_MANAGEMENT = "contracted_management", _("Land contracted management right")
    FOREST_LAND_USE = "forest_land_use", _("Forest land use right")


class ResourceType(models.TextChoices):
    WATER = "water", _("Water")
    FOREST = "forest", _("Forest")
    GRASSLAND = "grassland", _("Grassland")
    WETLAND = "wetland", _("Wetland")
    ECO_REDLINE = "eco_redline", _("Ecological protection red line zone")


class PlaceCategory(models.TextChoices):
    """Place-name categories after GB/T 18521."""

    SETTLEMENT = "settlement", _("Settlement")
    ROAD = "road", _("Road or street")
    WATER = "water", _("River or lake")
    MOUNTAIN = "mountain", _("Mountain")
    BUILDING = "building", _("Building")
    PARK = "park", _("Park or scenic area")
    TRANSPORT = "transport", _("Transport facility")


# Real-estate unit number (GB/T 37346-2019): feature letters of the parcel (宗地特征码).
# First letter: who owns the land; second: the kind of right the parcel carries.
OWNERSHIP_LETTERS = {"G": Ownership.STATE, "J": Ownership.COLLECTIVE, "Z": None}  # Z: disputed
RIGHT_LETTERS = frozenset("ABSXCDEFLNHGWY")
FIXTURE_LETTERS = {
    "F": _("buildings and structures"),
    "L": _("forest and trees"),
    "Q": _("other fixtures"),
    "W": _("no fixture"),
}

# GB/T 21010-2017 current land use classification: first level, then second level.
LAND_USE_FIRST = {
    "01": "耕地",
    "02": "园地",
    "03": "林地",
    "04": "草地",
    "05": "商服用地",
    "06": "工矿仓储用地",
    "07": "住宅用地",
    "08": "公共管理与公共服务用地",
    "09": "特殊用地",
    "10": "交通运输用地",
    "11": "水域及水利设施用地",
    "12": "其他土地",
}
LAND_USE_SECOND = {
    "0101": "水田",
    "0102": "水浇地",
    "0103": "旱地",
    "0201": "果园",
    "0202": "茶园",
    "0203": "橡胶园",
    "0204": "其他园地",
    "0301": "乔木林地",
    "0302": "竹林地",
    "0303": "红树林地",
    "0304": "森林沼泽",
    "0305": "灌木林地",
    "0306": "灌丛沼泽",
    "0307": "其他林地",
    "0401": "天然牧草地",
    "0402": "沼泽草地",
    "0403": "人工牧草地",
    "0404": "其他草地",
    "0501": "零售商业用地",
    "0502": "批发市场用地",
    "0503": "餐饮用地",
    "0504": "旅馆用地",
    "0505": "商务金融用地",
    "0506": "娱乐用地",
    "0507": "其他商服用地",
    "0601": "工业用地",
    "0602": "采矿用地",
    "0603": "盐田",
    "0604": "仓储用地",
    "0701": "城镇住宅用地",
    "0702": "农村宅基地",
    "0801": "机关团体用地",
    "0802": "新闻出版用地",
    "0803": "教育用地",
    "0804": "科研用地",
    "0805": "医疗卫生用地",
    "0806": "社会福利用地",
    "0807": "文化设施用地",
    "0808": "体育用地",
    "0809": "公用设施用地",
    "0810": "公园与绿地",
    "0901": "军事设施用地",
    "0902": "使领馆用地",
    "0903": "监教场所用地",
    "0904": "宗教用地",
    "0905": "殡葬用地",
    "0906": "风景名胜设施用地",
    "1001": "铁路用地",
    "1002": "轨道交通用地",
    "1003": "公路用地",
    "1004": "城镇村道路用地",
    "1005": "交通服务场站用地",
    "1006": "农村道路",
    "1007": "机场用地",
    "1008": "港口码头用地",
    "1009": "管道运输用地",
    "1101": "河流水面",
    "1102": "湖泊水面",
    "1103": "水库水面",
    "1104": "坑塘水面",
    "1105": "沿海滩涂",
    "1106": "内陆滩涂",
    "1107": "沟渠",
    "1108": "沼泽地",
    "1109": "水工建筑用地",
    "1110": "冰川及永久积雪",
    "1201": "空闲地",
    "1202": "设施农用地",
    "1203": "田坎",
    "1204": "盐碱地",
    "1205": "沙地",
    "1206": "裸土地",
    "1207": "裸岩石砾地",
}
LAND_USE_FIRST_CHOICES = [(code, f"{code} {name}") for code, name in LAND_USE_FIRST.items()]
