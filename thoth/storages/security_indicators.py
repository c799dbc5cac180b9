"""`thoth.storages.security_indicators`: security-indicator stores. Re-exports of thoth_storages (one implementation)."""

from thoth_storages.s3 import (
    CephStore,
    SecurityIndicatorsResultsStore,
    SIAggregatedStore,
    SIBanditStore,
    SIClocStore,
)

__all__ = ["CephStore", "SIAggregatedStore", "SIBanditStore", "SIClocStore", "SecurityIndicatorsResultsStore"]
