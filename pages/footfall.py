"""Footfall and outcomes: this page is being built (see the project's issues)."""

import streamlit as st

st.title("Footfall and outcomes")
st.info("Coming soon: this page is being built. The Overview and About the data pages work now.")
