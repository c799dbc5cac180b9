"""Package-extract (container-image analysis) documents -> environment, run, RPM/deb packages, files, symbols.

Tables, parents first: (external_)software_environment, package_extract_run, rpm_package_version,
rpm_requirement, rpm_requires, found_rpm, deb_package_version, deb_dependency, deb_depends,
deb_pre_depends, deb_replaces, found_deb, python_package_version_entity (+ rule associations),
identified, python_file_digest, found_python_file, versioned_symbol, has_symbol, detected_symbol,
python_interpreter, found_python_interpreter. One `ensure` per table whatever the image holds.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from generated import rows
from generated.documents.package_extract import DebPackage, DebRelation, PackageExtractDocument

from ...documents import parse_datetime
from ...exceptions import CudaVersionDoesNotMatchError, SchemaError
from .. import normalize
from ..bulk import SetWriter
from .environments import ENVIRONMENT_TYPES, software_environment_row
from .stacks import ensure_entities

_PYTHON_SUFFIX = re.compile(r"^py(?P<major>\d)(?P<minor>\d+)$")
_DEB_KINDS = ("depends", "pre_depends", "replaces")
"""The deb relation kinds: the document's keys (tables deb_depends, deb_pre_depends, deb_replaces)."""
_IMAGE_ENV = ("THOTH_S2I_NAME", "THOTH_S2I_VERSION", "IMAGE_NAME", "IMAGE_TAG")


@dataclass(frozen=True)
class _Environment:
    """The run's software environment: an internal or an external one (the other id is None)."""

    software_environment_id: int | None
    external_software_environment_id: int | None


@dataclass(frozen=True)
class ImageReference:
    """An image reference split as the graph stores it."""

    environment_name: str  # the reference as given
    image_name: str
    image_tag: str


def image_reference(image: str) -> ImageReference:
    """`name[:tag]` or `name@digest`; no tag means `latest` (a registry port is not a tag)."""
    if "@" in image:
        name, digest = image.split("@", 1)
        return ImageReference(image, name, digest)
    name, separator, tag = image.rpartition(":")
    if separator and "/" not in tag:
        return ImageReference(image, name, tag)
    return ImageReference(image, image, "latest")


def python_version_of(image_name: str) -> str | None:
    """`3.8` for an image named `...-py38` (`3.10` for `-py310`); None without such a suffix."""
    match = _PYTHON_SUFFIX.match(image_name.rsplit("-", 1)[-1])
    return f"{match['major']}.{match['minor']}" if match else None


def cuda_version_of(document: PackageExtractDocument) -> str | None:
    """The CUDA version nvcc reports, else the one in /usr/local/cuda/version.txt; they must agree."""
    cuda = document.result.cuda_version
    if cuda is None:
        return None
    nvcc, from_file = cuda.nvcc_version, cuda.field_usr_local_cuda_version_txt
    if nvcc is not None and from_file is not None and nvcc != from_file:
        raise CudaVersionDoesNotMatchError(
            f"{document.metadata.document_id}: CUDA version {nvcc!r} reported by nvcc differs from "
            f"{from_file!r} in /usr/local/cuda/version.txt"
        )
    return nvcc or from_file


def _image_env(document: PackageExtractDocument) -> dict[str, str]:
    found: dict[str, str] = {}
    skopeo = document.result.skopeo_inspect
    for entry in (skopeo.Env if skopeo else None) or []:
        name, separator, value = entry.partition("=")
        if separator and name in _IMAGE_ENV:
            found[name] = value
    return found


class _AnalysisWrite:
    """One document's write, table by table, parents first."""

    def __init__(self, writer: SetWriter, document: PackageExtractDocument) -> None:
        self.writer = writer
        self.document = document
        self.document_id = document.metadata.document_id.rsplit("/", 1)[-1]
        writer.document = document.metadata.document_id

    def run(self) -> None:
        run_id, environment = self._run()
        self._rpm(run_id)
        self._deb(run_id)
        self._python_packages(run_id)
        self._python_files(run_id)
        self._symbols(run_id, environment)
        self._interpreters(run_id)

    def _run(self) -> tuple[int, _Environment]:
        """The software environment and the package_extract_run; (run id, environment key columns)."""
        metadata = self.document.metadata
        arguments = metadata.arguments.thoth_package_extract
        environment_type = next(
            (known for known in ENVIRONMENT_TYPES if known == arguments.metadata.environment_type.upper()),
            None,
        )
        if environment_type is None:
            raise SchemaError(
                f"{self.document_id}: $.metadata.arguments['thoth-package-extract'].metadata.environment_type: "
                f"{arguments.metadata.environment_type!r} is not runtime or buildtime"
            )
        external = arguments.metadata.is_external is not False
        image = image_reference(metadata.arguments.extract_image.image)
        operating_system = self.document.result.operating_system
        env = _image_env(self.document)
        environment = software_environment_row(
            environment_type=environment_type,
            environment_name=image.environment_name,
            python_version=None if external else python_version_of(image.image_name),
            image_name=image.image_name,
            image_sha=self.document.result.layers[-1],
            os_name=operating_system.id,
            os_version=operating_system.version_id,
            cuda_version=cuda_version_of(self.document),
            thoth_image_name=env.get("THOTH_S2I_NAME"),
            thoth_image_version=env.get("THOTH_S2I_VERSION"),
            env_image_name=env.get("IMAGE_NAME"),
            env_image_tag=env.get("IMAGE_TAG"),
        )
        table = rows.EXTERNAL_SOFTWARE_ENVIRONMENT if external else rows.SOFTWARE_ENVIRONMENT
        environment_id = self.writer.ensure_one(table([environment]))
        ids = _Environment(None, environment_id) if external else _Environment(environment_id, None)
        run_id = self.writer.ensure_one(
            rows.PACKAGE_EXTRACT_RUN(
                [
                    {
                        "package_extract_name": metadata.analyzer,
                        "package_extract_version": metadata.analyzer_version,
                        "analysis_document_id": self.document_id,
                        "datetime": parse_datetime(
                            metadata.datetime, metadata.document_id, "$.metadata.datetime"
                        ),
                        "environment_type": environment_type,
                        "origin": arguments.metadata.origin,
                        "debug": arguments.verbose,
                        "package_extract_error": False,
                        "image_tag": image.image_tag,
                        "duration": metadata.duration,
                        "os_name": self._known(environment.get("os_name"), "operating_system.id"),
                        "os_id": operating_system.id,
                        "os_version_id": self._known(
                            environment.get("os_version"), "operating_system.version_id"
                        ),
                        "image_size": self.document.result.image_size,
                        "software_environment_id": ids.software_environment_id,
                        "external_software_environment_id": ids.external_software_environment_id,
                    }
                ]
            ),
        )
        return run_id, ids

    def _known(self, value: str | None, path: str) -> str:
        """A value the run's row needs (a NOT NULL column): SchemaError naming the document's path if absent."""
        if value is None:
            raise SchemaError(
                f"{self.document_id}: $.result.{path}: missing (the run's {path.split('.')[-1]})"
            )
        return value

    def _rpm(self, run_id: int) -> None:
        packages = self.document.result.rpm_dependencies
        versions: list[rows.RPMPackageVersionRow] = [
            {
                "package_name": package.name,
                "package_version": package.version,
                "release": package.release,
                "epoch": package.epoch,
                "arch": package.arch,
                "src": package.src if package.src is not None else False,
                "package_identifier": package.package_identifier or package.name,
            }
            for package in packages
        ]
        version_ids = self.writer.ensure_ids(rows.RPM_PACKAGE_VERSION(versions))
        self.writer.ensure(
            rows.FOUND_RPM(
                [{"rpm_package_version_id": v, "package_extract_run_id": run_id} for v in version_ids]
            ),
        )
        names = sorted({name for package in packages for name in package.dependencies})
        requirement_ids = self.writer.ensure(
            rows.RPM_REQUIREMENT([{"rpm_requirement_name": name} for name in names])
        )
        self.writer.ensure(
            rows.RPM_REQUIRES(
                [
                    {
                        "rpm_package_version_id": version_id,
                        "rpm_requirement_id": requirement_ids[rows.RPMRequirementKey(name)],
                    }
                    for package, version_id in zip(packages, version_ids, strict=True)
                    for name in package.dependencies
                ]
            ),
        )

    def _deb(self, run_id: int) -> None:
        packages = self.document.result.deb_dependencies
        version_ids = self.writer.ensure_ids(
            rows.DEB_PACKAGE_VERSION(
                {"package_name": p.name, "package_version": p.version, "epoch": p.epoch, "arch": p.arch}
                for p in packages
            )
        )
        self.writer.ensure(
            rows.FOUND_DEB(
                [{"deb_package_version_id": v, "package_extract_run_id": run_id} for v in version_ids]
            ),
        )
        relations = [
            (kind, version_id, relation)
            for package, version_id in zip(packages, version_ids, strict=True)
            for kind, relation in _deb_relations(package)
        ]
        names = sorted({relation.name for _kind, _version, relation in relations})
        dependency_ids = self.writer.ensure(rows.DEB_DEPENDENCY([{"package_name": name} for name in names]))
        of_kind = {
            kind: [
                (dependency_ids[rows.DebDependencyKey(relation.name)], version_id, relation.version)
                for relation_kind, version_id, relation in relations
                if relation_kind == kind
            ]
            for kind in _DEB_KINDS
        }
        # A relation without a version range: "*" for depends and replaces, NULL for pre-depends.
        self.writer.ensure(
            rows.DEB_DEPENDS(
                {
                    "deb_dependency_id": d,
                    "deb_package_version_id": v,
                    "version_range": "*" if r is None else r,
                }
                for d, v, r in of_kind["depends"]
            )
        )
        self.writer.ensure(
            rows.DEB_PRE_DEPENDS(
                {"deb_dependency_id": d, "deb_package_version_id": v, "version_range": r}
                for d, v, r in of_kind["pre_depends"]
            )
        )
        self.writer.ensure(
            rows.DEB_REPLACES(
                {
                    "deb_dependency_id": d,
                    "deb_package_version_id": v,
                    "version_range": "*" if r is None else r,
                }
                for d, v, r in of_kind["replaces"]
            )
        )

    def _python_packages(self, run_id: int) -> None:
        """Installed Python packages: entities without an index, identified by this run at a location."""
        packages = self.document.result.python_packages or []
        keys = [
            (normalize.package_name(p.package_name), normalize.package_version(p.package_version), None)
            for p in packages
        ]
        entity_ids = ensure_entities(self.writer, keys)
        self.writer.ensure(
            rows.IDENTIFIED(
                [
                    {
                        "package_extract_run_id": run_id,
                        "python_package_version_entity_id": entity_ids[key],
                        "location": package.location,
                    }
                    for package, key in zip(packages, keys, strict=True)
                ]
            ),
        )

    def _python_files(self, run_id: int) -> None:
        files = self.document.result.python_files
        digest_ids = self.writer.ensure(rows.PYTHON_FILE_DIGEST([{"sha256": f.sha256} for f in files]))
        self.writer.ensure(
            rows.FOUND_PYTHON_FILE(
                [
                    {
                        "file": f.filepath,
                        "python_file_digest_id": digest_ids[rows.PythonFileDigestKey(f.sha256)],
                        "package_extract_run_id": run_id,
                    }
                    for f in files
                ]
            ),
        )

    def _symbols(self, run_id: int, environment: _Environment) -> None:
        pairs = [
            (library, symbol)
            for library, symbols in self.document.result.system_symbols.items()
            for symbol in symbols
        ]
        symbol_ids = self.writer.ensure(
            rows.VERSIONED_SYMBOL([{"library_name": library, "symbol": symbol} for library, symbol in pairs])
        )
        ids = sorted({symbol_ids[rows.VersionedSymbolKey(*pair)] for pair in pairs})
        self.writer.ensure(
            rows.HAS_SYMBOL(
                [
                    {
                        "software_environment_id": environment.software_environment_id,
                        "external_software_environment_id": environment.external_software_environment_id,
                        "versioned_symbol_id": ident,
                    }
                    for ident in ids
                ]
            ),
        )
        self.writer.ensure(
            rows.DETECTED_SYMBOL(
                [{"package_extract_run_id": run_id, "versioned_symbol_id": ident} for ident in ids]
            ),
        )

    def _interpreters(self, run_id: int) -> None:
        interpreters: list[rows.PythonInterpreterRow] = []
        for position, interpreter in enumerate(self.document.result.python_interpreters):
            if interpreter.path is None:
                raise SchemaError(
                    f"{self.document_id}: $.result['python-interpreters'][{position}].path: missing"
                )
            interpreters.append(
                {"path": interpreter.path, "link": interpreter.link, "version": interpreter.version}
            )
        ids = self.writer.ensure_ids(rows.PYTHON_INTERPRETER(interpreters))
        self.writer.ensure(
            rows.FOUND_PYTHON_INTERPRETER(
                [
                    {"python_interpreter_id": ident, "package_extract_run_id": run_id}
                    for ident in sorted(set(ids))
                ]
            ),
        )


def _deb_relations(package: DebPackage) -> list[tuple[str, DebRelation]]:
    return [(kind, relation) for kind in _DEB_KINDS for relation in getattr(package, kind) or []]


def write_analysis_result(writer: SetWriter, document: PackageExtractDocument) -> None:
    """Write one validated package-extract document (inside the caller's transaction)."""
    _AnalysisWrite(writer, document).run()
