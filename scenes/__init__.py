"""Scenes: the frozen description of what a page shows, its limits, URL/JSON codec and presets."""

from scenes.model import DEFAULT_RUNS, RunSpec, Scene, View, spec

__all__ = ["DEFAULT_RUNS", "RunSpec", "Scene", "View", "spec"]
