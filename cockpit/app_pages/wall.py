"""Placeholder: being built in this session (replaced by the page's own module)."""

import streamlit as st

st.info("本页面正在建设中。")
