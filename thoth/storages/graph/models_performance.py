"""`thoth.storages.graph.models_performance`: the performance-indicator models and their groupings. Re-exports of thoth_storages (one implementation)."""

from generated.models import (
    ALL_PERFORMANCE_MODELS,
    PERFORMANCE_MODEL_BY_NAME,
    PiConv1D,
    PiConv2D,
    PiMatmul,
    PiPyBench,
)
from thoth_storages.graph.model_groups import PERFORMANCE_MODELS_ML_FRAMEWORKS

__all__ = [
    "ALL_PERFORMANCE_MODELS",
    "PERFORMANCE_MODELS_ML_FRAMEWORKS",
    "PERFORMANCE_MODEL_BY_NAME",
    "PiConv1D",
    "PiConv2D",
    "PiMatmul",
    "PiPyBench",
]
