"""A second floor for `make load`: six pages, each a title and 30 sentences (about what the About the
data page draws), to show what Streamlit charges for each element a page draws."""

import streamlit as st

st.navigation([
    st.Page("pages/thirty_sentences.py", title=f"Page {n}", url_path=f"page_{n}", default=n == 1)
    for n in range(1, 7)
]).run()
