"""The template's layout: its one home, which the writer, the filler and the reader all follow."""
from __future__ import annotations

import datetime as dt
import io
import subprocess
import sys
from pathlib import Path

import pytest
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from mdplan_core import layout
from mdplan_core.layout import Label
from mdplan_core.plan import load_plan
from mdplan_core.reader import read_report
from mdplan_core.report import Period
from mdplan_core.template import build_template
from mdplan_core.workbook import read_workbook
from tests.fill import fill_template, find_label, value_cell

BA_BE = "ubnd_061"
AGENCY = "sldtbxh"
Q1 = Period(2017, 1, 3)
DOCS = Path(__file__).resolve().parent.parent / "docs" / "template.md"


@pytest.fixture(scope="module")
def plan():
    return load_plan()


def _open(data: bytes):
    return load_workbook(io.BytesIO(data))


def test_the_template_is_written_as_the_layout_says(plan):
    wb = _open(build_template(plan, AGENCY, Q1))

    assert tuple(wb.sheetnames) == layout.TEMPLATE_SHEETS
    report = wb[layout.SHEET_REPORT]
    for i, label in enumerate(layout.HEADER.values()):
        assert report[f"{layout.LABEL_COL}{layout.HEADER_FIRST_ROW + i}"].value == label.text
        assert value_cell(report, label.text).coordinate == f"{layout.VALUE_COL}{layout.HEADER_FIRST_ROW + i}"
    header = [c.value for c in report[layout.TABLE_HEADER_ROW]]
    assert header[:len(layout.TABLE)] == [label.text for label in layout.TABLE.values()]
    assert report.cell(layout.TABLE_FIRST_ROW, 1).value == "CT1.1"
    for label in (layout.MEDIA, *layout.AFTER_TABLE):
        assert find_label(report, label.text).row > layout.TABLE_FIRST_ROW
    communes = wb[layout.SHEET_COMMUNES]
    assert ([c.value for c in communes[layout.COMMUNE_HEADER_ROW]][:len(layout.COMMUNE_TABLE)]
            == [label.text for label in layout.COMMUNE_TABLE.values()])
    assert tuple(k for k, _v in wb[layout.SHEET_META].iter_rows(values_only=True)) == layout.META_KEYS
    # The dropdowns' lists sit in the columns the filler looks them up in.
    lists = wb[layout.SHEET_LISTS]
    for name, key in ((layout.COMMUNE_LIST, "commune"), (layout.DISTRICT_LIST, "district")):
        letter = get_column_letter(layout.LIST_COLUMNS[key])
        assert wb.defined_names[name].attr_text.startswith(f"'{lists.title}'!${letter}$2:${letter}$")
    first = [lists.cell(2, layout.LIST_COLUMNS[key]).value for key in ("commune", "district_of")]
    assert first[0] and first[1] in set(plan.places["name"])


def test_a_label_changed_in_the_layout_alone_is_written_filled_and_read(plan, monkeypatch):
    """Writer, filler and reader take every label from the layout: changing one there (the
    template's text, keeping the old one as an alias) is all a change of wording takes."""
    for table, name, text in ((layout.HEADER, "reporter", "Cán bộ báo cáo"),
                              (layout.TABLE, "result", "Số đạt được trong kỳ"),
                              (layout.COMMUNE_TABLE, "commune", "Tên xã, phường, thị trấn")):
        old = table[name]
        monkeypatch.setitem(table, name, Label(text, (old.text, *old.aliases)))

    template = build_template(plan, BA_BE, Q1)
    report = _open(template)[layout.SHEET_REPORT]
    assert find_label(report, "Cán bộ báo cáo") and find_label(report, "Số đạt được trong kỳ")
    with pytest.raises(LookupError):
        find_label(report, "Kết quả trong kỳ")
    filled = fill_template(template, {"CT1.1": 7}, communes={"CT1.3": ["Chợ Rã"]},
                           reporter="Hà Văn An", report_date=dt.date(2017, 4, 2))
    raw = read_workbook(filled, "bao-cao.xlsx")
    parsed, findings = read_report(raw, plan)

    assert not [f for f in findings if f.severity == "error"], findings
    assert parsed.reporter == "Hà Văn An"
    values = {v.indicator_code: v for v in parsed.values}
    assert values["CT1.1"].value == 7
    assert values["CT1.3"].communes == ("01888",)


def test_the_reader_still_takes_the_labels_of_officers_own_copies(plan, monkeypatch):
    """An alias in the layout is read as the label: an old copy saying `SĐT` and `Kết quả`."""
    monkeypatch.setitem(layout.HEADER, "phone", Label("SĐT"))
    monkeypatch.setitem(layout.TABLE, "result", Label("Kết quả"))
    old_copy = fill_template(build_template(plan, BA_BE, Q1), {"CT1.1": 5}, phone="0912 345 678")
    monkeypatch.undo()
    report = _open(old_copy)[layout.SHEET_REPORT]
    assert find_label(report, "SĐT") and find_label(report, "Kết quả")

    raw = read_workbook(old_copy, "bao-cao.xlsx")
    parsed, _ = read_report(raw, plan)

    assert parsed.phone == "0912 345 678"
    assert {v.indicator_code: v.value for v in parsed.values}["CT1.1"] == 5


def test_every_label_and_sheet_of_the_template_is_in_its_contract():
    docs = DOCS.read_text(encoding="utf-8")
    labels = [*layout.HEADER.values(), *layout.TABLE.values(), *layout.COMMUNE_TABLE.values(),
              layout.MEDIA, *layout.AFTER_TABLE]
    names = [*(label.text for label in labels), *layout.TEMPLATE_SHEETS, *layout.META_KEYS,
             layout.COMMUNE_LIST]
    assert [name for name in names if f"`{name}`" not in docs] == []


def test_the_layout_loads_nothing_heavy():
    """The sandbox takes its read caps from the layout, in every upload's parent process."""
    out = subprocess.run([sys.executable, "-c", "import sys, mdplan_core.layout; print(' '.join("
                          "m for m in ('pandas', 'openpyxl', 'yaml', 'mdplan_core.vntext', "
                          "'mdplan_core.plan') if m in sys.modules))"],
                         capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
