"""Small multilayer perceptrons trained by the race's optimizers, batched over runs and examples,
and what can be measured of their loss landscapes: planes through parameter space, the line
between two solutions, the top Hessian eigenvalue. Pure NumPy (no Streamlit, no Plotly)."""
