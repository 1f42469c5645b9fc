"""Streamlit AppTest: the pages render from the core without errors."""
from pathlib import Path

from streamlit.testing.v1 import AppTest

APP = Path(__file__).resolve().parent.parent / "dashboard.py"


def test_plan_page_shows_the_plan():
    at = AppTest.from_file(str(APP), default_timeout=30).run()
    assert not at.exception
    assert "Kế hoạch phòng, chống mại dâm" in at.title[0].value
    frames = [df.value for df in at.dataframe]
    indicators = next(f for f in frames if "Mã" in f.columns)
    assert list(indicators["Chỉ tiêu năm"]) == ["10", "500", "10", "300", "—", "2", "5", "5", "15", "1", "8"]
    matrix = next(f for f in frames if "NV1" in f.columns)
    assert matrix.loc["Sở Lao động - Thương binh và Xã hội", "NV4"] == "Chủ trì"
    assert matrix.loc["Công an tỉnh", "NV4"] == "Phối hợp"
    assert any("2016" in i.value for i in at.info)
