import streamlit as st; st.title("Page 2"); st.write("Nothing to compute.")
