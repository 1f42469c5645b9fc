import datetime as dt

import pytest

from mdplan_core.report import Period


@pytest.mark.parametrize("text, expected", [
    ("2017-01..2017-03", Period(2017, 1, 3)),
    ("2017-5", Period(2017, 5, 5)),
    (" 2017-10 .. 2017-12 ", Period(2017, 10, 12)),
])
def test_period_parse(text, expected):
    assert Period.parse(text) == expected


@pytest.mark.parametrize("text", ["2017-03..2017-01", "2017-01..2018-02", "2017-13", "Q1 2017", ""])
def test_period_parse_refuses(text):
    with pytest.raises(ValueError):
        Period.parse(text)


def test_period_dates_labels_and_overlap():
    q1 = Period(2017, 1, 3)
    assert (q1.start, q1.end) == (dt.date(2017, 1, 1), dt.date(2017, 3, 31))
    assert Period(2017, 12, 12).end == dt.date(2017, 12, 31)
    assert q1.label == "Quý I/2017" and str(q1) == "2017-01..2017-03"
    assert q1.overlaps(Period(2017, 3, 4)) and not q1.overlaps(Period(2017, 4, 6))
    assert not q1.overlaps(Period(2018, 1, 3))


# --- issue 9: admin ---
def test_a_quarter_has_one_name_and_other_periods_their_months():
    assert [Period(2017, m, m + 2).label for m in (1, 4, 7, 10)] == [
        "Quý I/2017", "Quý II/2017", "Quý III/2017", "Quý IV/2017"]
    assert Period(2017, 10, 12).months_label == "Tháng 10–12/2017"
    assert Period(2017, 2, 4).label == "Tháng 2–4/2017"  # three months, but not a quarter
    assert Period(2017, 1, 6).label == "Tháng 1–6/2017"
    assert Period(2017, 5, 5).label == "Tháng 5/2017"
    assert Period(2017, 10, 12).in_sentence == "quý IV/2017"
    assert Period(2017, 1, 2).in_sentence == "tháng 1–2/2017"
