"""mdplan: the Streamlit entry point. Pages are thin; everything they show comes from mdplan_core."""
import streamlit as st

st.set_page_config(page_title="mdplan – Bắc Kạn 2017", page_icon="📊", layout="wide")

pages = [
    st.Page("pages/plan.py", title="Kế hoạch", icon="📜", default=True),
]
st.navigation(pages).run()
