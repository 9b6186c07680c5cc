"""Landscapes from data: a model with two parameters, a dataset (``datasets``) and a loss give an
exact 2D loss landscape, with real minibatch gradients (``DataLandscape.minibatch_grad``).

Registered in ``landscapes`` as ``data_linear``, ``data_logistic`` and ``data_tanh``; or build one
directly, e.g. ``LinearRegression(source="diabetes", feature=2, standardize=True)``.
"""

from landscapes.data.models import ALL, DataLandscape, LinearRegression, LogisticRegression, TanhNet

__all__ = ["ALL", "DataLandscape", "LinearRegression", "LogisticRegression", "TanhNet"]
