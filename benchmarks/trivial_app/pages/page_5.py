import streamlit as st; st.title("Page 5"); st.write("Nothing to compute.")
