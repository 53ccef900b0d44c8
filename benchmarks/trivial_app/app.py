"""The framework's floor: a six-page Streamlit app that does almost nothing (used by `make load`)."""

import streamlit as st

st.navigation([
    st.Page(f"pages/page_{n}.py", title=f"Page {n}", url_path=f"page_{n}", default=n == 1) for n in range(1, 7)
]).run()
