import streamlit as st; st.title("Page 1"); st.write("Nothing to compute.")
