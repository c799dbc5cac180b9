"""Exception hierarchy of thoth-storages (the original's 16 names, plus configuration errors)."""


class ThothStorageExceptionError(Exception):
    """Base of every error raised by thoth-storages."""


class NotFoundError(ThothStorageExceptionError):
    """A requested document, row or object does not exist."""


class SchemaError(ThothStorageExceptionError):
    """A document does not match its declared schema."""


class SolverNameParseError(SchemaError):
    """A solver name or solver document id is not `solver-<os>-<version>-py<XY>` (named as thoth-common's)."""


class CacheMissError(ThothStorageExceptionError):
    """A cache store has no record for the requested id."""


class NotConnectedError(ThothStorageExceptionError):
    """The adapter is used before `connect()`."""


class AlreadyConnectedError(ThothStorageExceptionError):
    """`connect()` is called on a connected adapter."""


class DatabaseNotInitializedError(ThothStorageExceptionError):
    """The database exists but has no schema (no `alembic_version`)."""


class MultipleFoundError(ThothStorageExceptionError):
    """More than one object matched where exactly one was expected."""


class PythonIndexNotRegisteredError(ThothStorageExceptionError):
    """A Python package index is not registered in the database."""


class PerformanceIndicatorNotRegisteredError(ThothStorageExceptionError):
    """An inspection reports a performance indicator with no model."""


class PythonIndexNotProvidedError(ThothStorageExceptionError):
    """A query needs a Python package index URL and none was given."""


class SolverNotRunError(ThothStorageExceptionError):
    """A package was not solved yet, so dependent data cannot be stored."""


class DistutilsKeyNotKnownError(ThothStorageExceptionError):
    """A distutils metadata key is not one of the known types."""


class SortTypeQueryError(ThothStorageExceptionError):
    """An unknown sort type was requested."""


class NoDocumentIdError(ThothStorageExceptionError):
    """A document carries no `metadata.document_id`."""


class CudaVersionDoesNotMatchError(ThothStorageExceptionError):
    """The CUDA versions reported by nvcc and version.txt differ."""


class ConfigurationError(ThothStorageExceptionError):
    """A setting (environment variable or argument) is wrong; the message names the setting."""


class StorageConnectionError(ThothStorageExceptionError):
    """A back end (PostgreSQL, S3) could not be reached or refused the credentials."""


class InvalidDocumentIdError(ThothStorageExceptionError, ValueError):
    """A document id or store key that no store can hold (too long, or characters ids never have)."""


class ListingError(ThothStorageExceptionError):
    """A store listing or a local folder (`where`) could not be read, for the reason `why`."""

    def __init__(self, where: str, why: str) -> None:
        self.where = where
        super().__init__(f"{where}: cannot be listed: {why}")
