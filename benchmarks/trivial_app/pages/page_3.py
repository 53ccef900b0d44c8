import streamlit as st; st.title("Page 3"); st.write("Nothing to compute.")
