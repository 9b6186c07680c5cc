"""Landscapes built to teach one trap each: saddles, plateaus, ravines, sharp vs flat minima."""

from __future__ import annotations

from landscapes.base import Landscape

ALL: list[type[Landscape]] = []
