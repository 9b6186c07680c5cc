"""Lesson numerics: pure NumPy computations behind the lesson pages (no Streamlit, no Plotly)."""
