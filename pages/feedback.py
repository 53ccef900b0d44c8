"""What parents, staff and volunteers said: this page is being built (see the project's issues)."""

import streamlit as st

st.title("What parents, staff and volunteers said")
st.info("Coming soon: this page is being built. The Overview and About the data pages work now.")
