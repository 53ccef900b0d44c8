import streamlit as st

st.title("Thirty sentences")
for number in range(1, 31):
    st.markdown(f"**Term {number}.** A plain sentence that explains one definition in a few words.")
