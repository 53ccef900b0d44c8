import streamlit as st; st.title("Page 4"); st.write("Nothing to compute.")
