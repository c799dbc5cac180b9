"""Groupings of the generated models that the original exposed beside its model classes."""

from __future__ import annotations

from generated.models import Base, PiConv1D, PiConv2D, PiMatmul

PERFORMANCE_MODELS_ML_FRAMEWORKS: frozenset[type[Base]] = frozenset({PiConv1D, PiConv2D, PiMatmul})
"""Performance-indicator models of machine-learning framework benchmarks (all but PiPyBench)."""

__all__ = ["PERFORMANCE_MODELS_ML_FRAMEWORKS"]
