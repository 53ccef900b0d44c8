import streamlit as st; st.title("Page 6"); st.write("Nothing to compute.")
