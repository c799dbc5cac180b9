"""Object-store settings read from the environment (the original's THOTH_CEPH_* / THOTH_S3_* variables)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from ..config import S3RequestLimits, env_int, env_str
from ..exceptions import ConfigurationError

ENDPOINT_URL = "THOTH_S3_ENDPOINT_URL"
KEY_ID = "THOTH_CEPH_KEY_ID"
SECRET_KEY = "THOTH_CEPH_SECRET_KEY"
BUCKET = "THOTH_CEPH_BUCKET"
BUCKET_PREFIX = "THOTH_CEPH_BUCKET_PREFIX"
REGION = "THOTH_CEPH_REGION"
DEPLOYMENT_NAME = "THOTH_DEPLOYMENT_NAME"
LOCAL_ROOT = "THOTH_STORAGES_LOCAL_ROOT"
GRAPH_BACKUP_STORE_ROTATE = "GRAPH_BACKUP_STORE_ROTATE"

DEFAULT_LOCAL_ROOT = Path(".thoth-storages") / "documents"
DEFAULT_GRAPH_BACKUP_STORE_ROTATE = 21


def require(value: str | None, name: str, what: str) -> str:
    """Return `value`, or fail with a ConfigurationError naming the environment variable to set."""
    if value:
        return value
    from_env = env_str(name)
    if from_env is None:
        raise ConfigurationError(f"{what} is not configured: pass it explicitly or set {name}")
    return from_env


@dataclass(frozen=True)
class S3Settings:
    """Connection settings of an S3-compatible endpoint (Ceph RADOS Gateway, AWS S3, moto, ...)."""

    endpoint_url: str | None
    key_id: str | None
    secret_key: str | None
    bucket: str
    region: str | None
    limits: S3RequestLimits = field(default_factory=S3RequestLimits)

    @classmethod
    def resolve(
        cls,
        *,
        host: str | None = None,
        key_id: str | None = None,
        secret_key: str | None = None,
        bucket: str | None = None,
        region: str | None = None,
    ) -> S3Settings:
        """Explicit arguments win; unset ones come from the environment."""
        return cls(
            endpoint_url=host or env_str(ENDPOINT_URL),
            key_id=key_id or env_str(KEY_ID),
            secret_key=secret_key or env_str(SECRET_KEY),
            bucket=require(bucket, BUCKET, "the S3 bucket"),
            region=region or env_str(REGION),
            limits=S3RequestLimits.from_env(),
        )


def s3_configured(host: str | None = None) -> bool:
    """True when an S3 endpoint is given or configured: the stores then use CephStore, else LocalStore."""
    return bool(host or env_str(ENDPOINT_URL))


def local_root(root: str | os.PathLike[str] | None = None) -> Path:
    """Root directory of the local document store (THOTH_STORAGES_LOCAL_ROOT, default under the cwd)."""
    if root is not None:
        return Path(root).absolute()
    configured = env_str(LOCAL_ROOT)
    return Path(configured).absolute() if configured else DEFAULT_LOCAL_ROOT.absolute()


def bucket_prefix(prefix: str | None) -> str:
    """The bucket prefix (THOTH_CEPH_BUCKET_PREFIX) every store key starts with."""
    return require(prefix, BUCKET_PREFIX, "the bucket prefix")


def deployment_name(name: str | None) -> str:
    """The deployment name (THOTH_DEPLOYMENT_NAME), the second segment of every store key."""
    return require(name, DEPLOYMENT_NAME, "the deployment name")


def graph_backup_rotate(default: int = DEFAULT_GRAPH_BACKUP_STORE_ROTATE) -> int:
    """How many graph dumps GraphBackupStore keeps (GRAPH_BACKUP_STORE_ROTATE, else `default`: 21)."""
    keep = env_int(GRAPH_BACKUP_STORE_ROTATE, default)
    if keep < 1:
        raise ConfigurationError(f"{GRAPH_BACKUP_STORE_ROTATE}={keep} must be at least 1")
    return keep
