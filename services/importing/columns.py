"""The documented column mapping of civil-affairs lists, and the words their cells use.

A header matches a field when, with spaces, '*' and a trailing '(…)' note removed, it equals one
of the field's aliases (Chinese as the lists have them, or the English field name). Columns that
match nothing (序号, 备注, …) are ignored and named in the summary. The header row is the first of
the first 20 rows that names at least three fields, so a title row above it does no harm.

Children (RegisterChild): required 姓名, 类别, 区划代码, and 性别 + 出生日期 unless 身份证号 gives
them. 区划代码 is the village/community code, or the district/county code with the village by name
in 村/社区 (and its town in 乡镇/街道), or the county code alone (services/importing/places.py). Volunteers (RecruitVolunteer): required 姓名, 性别, 区划代码; 类型 defaults to 爱心妈妈 for
women and 爱心爸爸 for men.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from contracts.intake.registration import (ChildCategory, ChildSubtype, GuardianRelation, Sex, VolunteerKind,
                                           VolunteerType)

CHILD_COLUMNS: dict[str, tuple[str, ...]] = {
    "name": ("姓名", "儿童姓名", "name"),
    "sex": ("性别", "sex"),
    "birth_date": ("出生日期", "出生年月日", "出生年月", "生日", "birth_date"),
    "id_number": ("身份证号", "身份证号码", "公民身份号码", "身份证", "id_number"),
    "category": ("类别", "儿童类别", "儿童类型", "类型", "category"),
    "subtype": ("子类别", "具体类别", "困境类型", "留守类型", "细分类别", "subtype"),
    "region": ("区划代码", "行政区划代码", "社区代码", "村社区代码", "所在社区代码", "region"),
    "town": ("乡镇", "街道", "乡镇街道", "街道乡镇", "乡镇/街道", "街道/乡镇", "所在乡镇", "所在街道", "乡镇名称",
             "town"),
    "village": ("村", "社区", "村社区", "社区村", "村/社区", "社区/村", "村居", "所在村", "所在社区", "村居委会",
                "村名称", "社区名称", "village"),
    "address": ("住址", "家庭住址", "现住址", "地址", "address"),
    "school": ("学校", "就读学校", "school"),
    "grade": ("年级", "就读年级", "grade"),
    "guardian": ("监护人", "监护人姓名", "guardian"),
    "guardian_relation": ("监护人关系", "与儿童关系", "与监护人关系", "关系", "guardian_relation"),
    "guardian_phone": ("联系电话", "监护人电话", "监护人联系电话", "电话", "手机", "guardian_phone"),
    # The day she was registered in the world; without the column, the day of the import.
    "registered_on": ("登记日期", "建档日期", "建档时间", "登记时间", "入库日期", "registered_on"),
}
VOLUNTEER_COLUMNS: dict[str, tuple[str, ...]] = {
    "name": ("姓名", "志愿者姓名", "name"),
    "sex": ("性别", "sex"),
    "phone": ("联系电话", "手机", "手机号", "电话", "phone"),
    "region": ("区划代码", "行政区划代码", "社区代码", "村社区代码", "所在社区代码", "region"),
    "kind": ("类型", "志愿者类型", "身份", "kind"),
    "volunteer_type": ("类别", "妈妈类别", "志愿者类别", "volunteer_type"),
    "specialties": ("特长", "专长", "specialties"),
    "capacity": ("可结对人数", "结对人数", "capacity"),
    "team_id": ("队伍编号", "服务队编号", "team_id"),
    "recruited_on": ("招募日期", "加入日期", "登记日期", "入库日期", "recruited_on"),
    "staff": ("妇联干部", "是否妇联干部", "妇联工作人员", "staff"),
}
CHILD_REQUIRED = ("name", "category", "region")
VOLUNTEER_REQUIRED = ("name", "sex", "region")
HEADER_SEARCH_ROWS = 20

YES_NO = {"是": True, "否": False, "yes": True, "no": False, "y": True, "n": False, "1": True, "0": False,
          "true": True, "false": False}
SEXES = {"男": Sex.male, "男性": Sex.male, "m": Sex.male, "male": Sex.male,
         "女": Sex.female, "女性": Sex.female, "f": Sex.female, "female": Sex.female}
CATEGORIES = {"留守儿童": ChildCategory.left_behind, "农村留守儿童": ChildCategory.left_behind,
              "留守": ChildCategory.left_behind, "困境儿童": ChildCategory.in_difficulty,
              "困境": ChildCategory.in_difficulty, **{c.value: c for c in ChildCategory}}
SUBTYPES = {
    "父母双方外出": ChildSubtype.both_parents_away, "父母均外出": ChildSubtype.both_parents_away,
    "双亲外出": ChildSubtype.both_parents_away, "父母一方外出": ChildSubtype.one_parent_away,
    "一方外出": ChildSubtype.one_parent_away, "孤儿": ChildSubtype.orphaned,
    "事实无人抚养": ChildSubtype.unsupported, "事实无人抚养儿童": ChildSubtype.unsupported,
    "残疾": ChildSubtype.disabled, "残疾儿童": ChildSubtype.disabled, "重病": ChildSubtype.seriously_ill,
    "重病儿童": ChildSubtype.seriously_ill, "低保": ChildSubtype.low_income,
    "低收入": ChildSubtype.low_income, "贫困": ChildSubtype.low_income,
    "父母服刑": ChildSubtype.parent_imprisoned, "父母服刑在押": ChildSubtype.parent_imprisoned,
    "单亲": ChildSubtype.single_parent, "单亲家庭": ChildSubtype.single_parent, "其他": ChildSubtype.other,
    **{s.value: s for s in ChildSubtype},
}
LEFT_BEHIND_SUBTYPES = (ChildSubtype.both_parents_away, ChildSubtype.one_parent_away)
RELATIONS = {
    **dict.fromkeys(("祖父母", "祖父", "祖母", "外祖父", "外祖母", "爷爷", "奶奶", "外公", "外婆"),
                    GuardianRelation.grandparent),
    **dict.fromkeys(("父母", "父亲", "母亲", "父", "母", "爸爸", "妈妈"), GuardianRelation.parent),
    **dict.fromkeys(("亲属", "其他亲属", "叔叔", "伯伯", "姑姑", "舅舅", "阿姨", "姨妈", "哥哥", "姐姐"),
                    GuardianRelation.relative),
    "其他": GuardianRelation.other, **{r.value: r for r in GuardianRelation},
}
KINDS = {"爱心妈妈": VolunteerKind.mother, "妈妈": VolunteerKind.mother, "爱心爸爸": VolunteerKind.father,
         "爸爸": VolunteerKind.father, "爱心家庭": VolunteerKind.family, "家庭": VolunteerKind.family,
         **{k.value: k for k in VolunteerKind}}
VOLUNTEER_TYPES = {"邻家妈妈": VolunteerType.neighbour, "专长妈妈": VolunteerType.specialist,
                   "湾区爱心妈妈": VolunteerType.bay_area, "湾区妈妈": VolunteerType.bay_area,
                   **{t.value: t for t in VolunteerType}}


class MissingColumns(ValueError):
    pass


@dataclass(frozen=True)
class Layout:
    """Where the header is and which column holds which field."""

    line: int
    headers: tuple[str, ...]
    fields: dict[str, int]

    def header(self, field: str, columns: dict[str, tuple[str, ...]]) -> str:
        index = self.fields.get(field)
        return self.headers[index] if index is not None else columns[field][0]

    @property
    def ignored(self) -> list[str]:
        used = set(self.fields.values())
        return [h for i, h in enumerate(self.headers) if i not in used and h]


def normalise(header: object) -> str:
    return re.sub(r"[\s*＊:：]", "", str(header or "")).lower()


def match_fields(headers: list[object], columns: dict[str, tuple[str, ...]]) -> dict[str, int]:
    lookup = {normalise(alias): field for field, aliases in columns.items() for alias in aliases}
    fields: dict[str, int] = {}
    for index, header in enumerate(headers):
        text = normalise(header)
        # 乡镇（街道） and 村(社区)代码 read whole first: a note in brackets may be part of the name.
        field = lookup.get(text) or lookup.get(re.sub(r"[（()）]", "", text)) or lookup.get(
            re.split(r"[（(]", text)[0])
        if field and field not in fields:
            fields[field] = index
    return fields


def find_layout(first_rows: list[tuple[int, list[object]]], columns: dict[str, tuple[str, ...]],
                required: tuple[str, ...]) -> Layout:
    for line, cells in first_rows[:HEADER_SEARCH_ROWS]:
        fields = match_fields(cells, columns)
        if len(fields) >= 3:
            missing = [f"{columns[f][0]} ({f})" for f in required if f not in fields]
            if missing:
                raise MissingColumns(f"the header in row {line} lacks the required columns {', '.join(missing)}")
            return Layout(line, tuple(str(c).strip() if c is not None else "" for c in cells), fields)
    wanted = ", ".join(f"{columns[f][0]} ({f})" for f in required)
    raise MissingColumns(f"no header row found in the first {HEADER_SEARCH_ROWS} rows; "
                         f"a list needs at least the columns {wanted}")
