"""Streamlit glue shared by the app's pages: widgets, cached computations, URL state, downloads."""
