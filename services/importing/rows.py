"""One row of a list → a command, or every problem of the row (line, column, reason).

Rows are checked here, before anything is sent: the identity number's check digit and its
agreement with 出生日期 and 性别, the place (a village code, or a county code with the town and
village by name: places.py), the age, phone numbers, and repeats of the same
child or volunteer within the file. A row's command id is derived from the file's digest and the
row's line, so importing the same file again sends the same commands.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date

from pydantic import ValidationError

from contracts.envelope import Actor
from contracts.intake.registration import (Guardian, GuardianRelation, RecruitVolunteer, RegisterChild, Sex,
                                           VolunteerKind)
from services.importing import values as v
from services.importing.columns import (CATEGORIES, CHILD_COLUMNS, KINDS, LEFT_BEHIND_SUBTYPES,
                                        RELATIONS, SEXES, SUBTYPES, VOLUNTEER_COLUMNS,
                                        VOLUNTEER_TYPES, YES_NO, Layout, MissingColumns)
from services.importing.places import PlaceProblem, place_of
from services.intake.idcard import IdNumber
from services.intake.domain import ADULT_AGE, age_on

SEX_NAMES = {Sex.male: "男", Sex.female: "女"}


@dataclass(frozen=True)
class Problem:
    line: int
    column: str
    reason: str


class _Cells:
    """One row's cells by field, collecting the problems found while parsing them."""

    def __init__(self, line: int, cells: list[object], layout: Layout, columns) -> None:
        self.line, self.cells, self.layout, self.columns = line, cells, layout, columns
        self.problems: list[Problem] = []

    def raw(self, field: str) -> object:
        index = self.layout.fields.get(field)
        return self.cells[index] if index is not None and index < len(self.cells) else None

    def get(self, field: str, parse=v.plain, required: bool = False):
        raw = self.raw(field)
        if v.is_blank(raw):
            if required:
                self.problem(field, "is empty")
            return None
        try:
            return parse(raw)
        except ValueError as error:
            self.problem(field, str(error))
            return None

    def problem(self, field: str, reason: str) -> None:
        self.problems.append(Problem(self.line, self.layout.header(field, self.columns), reason))

    def build(self, model, **fields):
        if self.problems:
            return self.problems
        try:
            return model(**fields)
        except ValidationError as error:
            for e in error.errors():
                self.problem(self._field_of(e["loc"]), e["msg"])
            return self.problems

    def _field_of(self, loc: tuple) -> str:
        parts = [str(part) for part in loc] or ["name"]
        if parts[0] == "guardian" and len(parts) > 1:
            return {"phone": "guardian_phone", "relation": "guardian_relation"}.get(parts[1], "guardian")
        return parts[0] if parts[0] in self.columns else "name"


class RowParser:
    columns: dict[str, tuple[str, ...]]

    def __init__(self, layout: Layout, actor: Actor, digest: str, today: date) -> None:
        self.layout, self.actor, self.digest, self.today = layout, actor, digest, today
        self.seen: dict[bytes, int] = {}  # digest of who the row is -> its line

    def is_blank(self, cells: list[object]) -> bool:
        return all(v.is_blank(cells[i]) for i in self.layout.fields.values() if i < len(cells))

    def command_id(self, line: int) -> str:
        return f"import-{self.digest[:32]}-{line}"

    def once(self, row: _Cells, command, key: str, field: str):
        """The same person listed twice in one file: the later row is a bad row (rows with problems
        do not count, so a good repeat of a bad row is still registered)."""
        if isinstance(command, list):
            return command
        digest = hashlib.sha256(key.encode()).digest()
        if (earlier := self.seen.setdefault(digest, row.line)) != row.line:
            row.problem(field, f"the same person as in row {earlier}")
            return row.problems
        return command


class ChildRows(RowParser):
    columns = CHILD_COLUMNS

    def __init__(self, layout: Layout, actor: Actor, digest: str, today: date) -> None:
        super().__init__(layout, actor, digest, today)
        if "id_number" not in layout.fields:
            missing = [f"{CHILD_COLUMNS[f][0]} ({f})" for f in ("sex", "birth_date") if f not in layout.fields]
            if missing:
                raise MissingColumns(f"without a 身份证号 column the list needs {', '.join(missing)}")

    def parse(self, line: int, cells: list[object]) -> RegisterChild | list[Problem]:
        row = _Cells(line, cells, self.layout, self.columns)
        name = row.get("name", required=True)
        region = self._place(row)
        card = row.get("id_number", v.id_number)
        sex, born = self._sex_and_birth(row, card)
        category, subtype = self._category(row)
        guardian = self._guardian(row)
        command = row.build(RegisterChild, command_id=self.command_id(line), actor=self.actor, region=region,
                            name=name, sex=sex, birth_date=born, category=category, subtype=subtype,
                            id_number=card and card.number, address=row.get("address"),
                            school=row.get("school"), grade=row.get("grade", v.grade), guardian=guardian,
                            registered_on=row.get("registered_on", v.birth_date))
        if card:
            return self.once(row, command, card.number, "id_number")
        return self.once(row, command, f"{region}|{name}|{born}|{guardian and guardian.name}", "name")

    def _place(self, row: _Cells) -> str | None:
        code = row.get("region", required=True)
        if code is None:
            return None
        try:
            return place_of(code, row.get("town"), row.get("village"))
        except PlaceProblem as problem:
            row.problem(problem.field, str(problem))
            return None

    def _sex_and_birth(self, row: _Cells, card: IdNumber | None) -> tuple[Sex | None, date | None]:
        needed = v.is_blank(row.raw("id_number"))  # else the number gives them (or is a problem already)
        sex = row.get("sex", v.choice(SEXES, "sex"), required=needed)
        born = row.get("birth_date", v.birth_date, required=needed)
        if card:
            if born and born != card.birth_date:
                row.problem("birth_date", f"{born} disagrees with the 身份证号, which gives {card.birth_date}")
            if sex and sex is not card.sex:
                row.problem("sex", f"{SEX_NAMES[sex]} disagrees with the 身份证号 (17th digit: {SEX_NAMES[card.sex]})")
            sex, born = sex or card.sex, born or card.birth_date
        age_column = "birth_date" if "birth_date" in self.layout.fields else "id_number"
        if born and born > self.today:
            row.problem(age_column, f"{born} is in the future")
        elif born and (age := age_on(born, self.today)) >= ADULT_AGE:
            row.problem(age_column, f"the child is {age}; the programme is for children under {ADULT_AGE}")
        return sex, born

    def _category(self, row: _Cells):
        raw = v.text(row.raw("category")).replace(" ", "")
        if raw in SUBTYPES and raw not in CATEGORIES:  # 类别 "孤儿": the subtype names the category
            subtype = SUBTYPES[raw]
            return CATEGORIES["留守儿童" if subtype in LEFT_BEHIND_SUBTYPES else "困境儿童"], subtype
        category = row.get("category", v.choice(CATEGORIES, "category"), required=True)
        return category, row.get("subtype", v.choice(SUBTYPES, "subtype"))

    def _guardian(self, row: _Cells) -> Guardian | None:
        name = row.get("guardian")
        relation = row.get("guardian_relation", v.choice(RELATIONS, "relation"))
        phone = row.get("guardian_phone", v.phone)
        if name is None:
            if phone or relation:
                row.problem("guardian", "is empty, but a guardian's phone or relation is given")
            return None
        if len(name) > 50:
            row.problem("guardian", "is longer than 50 characters")
            return None
        try:  # what the contract refuses besides (a control character in the name) is the row's problem
            return Guardian(relation=relation or GuardianRelation.other, name=name, phone=phone)
        except ValidationError as error:
            for e in error.errors():
                field = str(e["loc"][0]) if e["loc"] else "name"
                column = {"phone": "guardian_phone", "relation": "guardian_relation"}.get(field, "guardian")
                row.problem(column, e["msg"])
            return None


class VolunteerRows(RowParser):
    columns = VOLUNTEER_COLUMNS

    def parse(self, line: int, cells: list[object]) -> RecruitVolunteer | list[Problem]:
        row = _Cells(line, cells, self.layout, self.columns)
        name = row.get("name", required=True)
        sex = row.get("sex", v.choice(SEXES, "sex"), required=True)
        phone = row.get("phone", v.phone)
        kind = row.get("kind", v.choice(KINDS, "kind")) or (
            VolunteerKind.father if sex is Sex.male else VolunteerKind.mother)
        optional = {"volunteer_type": row.get("volunteer_type", v.choice(VOLUNTEER_TYPES, "volunteer type")),
                    "capacity": row.get("capacity", v.whole_number(1, 20)),
                    "specialties": row.get("specialties", v.words), "team_id": row.get("team_id"),
                    "recruited_on": row.get("recruited_on", v.birth_date),
                    "staff": row.get("staff", v.choice(YES_NO, "yes or no (是/否)"))}
        command = row.build(RecruitVolunteer, command_id=self.command_id(line), actor=self.actor,
                            region=row.get("region", v.community, required=True), name=name, sex=sex,
                            phone=phone, kind=kind, **{k: x for k, x in optional.items() if x is not None})
        return self.once(row, command, f"{name}|{phone}", "phone") if phone else command
