"""Whether a GetObject body arrived as it was stored.

botocore checks the body against the checksum stored with the object when there is one (boto3 sends one
with every upload; servers that do not keep it, such as the Ceph 16 gateway, return none). Without one,
the ETag of an object uploaded whole and not encrypted with SSE-KMS or SSE-C is the MD5 of its content
(in S3 and Ceph), so the body is checked against that. Where an ETag is not the MD5 of the content
after all, the same bytes read twice are taken as they are.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from typing import IO, cast

from botocore.httpchecksum import StreamingChecksumBody
from botocore.response import StreamingBody

from .retry import BodyMismatchError

_MD5_ETAG = re.compile(r'^"?([0-9a-f]{32})"?$')
_CHUNK = 1 << 20


def etag_md5(response: Mapping[str, object]) -> str | None:
    """The MD5 hex digest of the content an S3 GetObject/HeadObject response's ETag gives, if it gives one."""
    encryption = str(response.get("ServerSideEncryption", ""))
    if response.get("SSECustomerAlgorithm") or encryption.startswith("aws:kms"):
        return None
    match = _MD5_ETAG.match(str(response.get("ETag", "")))
    return match.group(1) if match else None


def copy_checked(response: Mapping[str, object], into: IO[bytes], seen: set[str]) -> bool:
    """Copy the response's body into `into`, checked; True when a checksum or the ETag vouched for it.

    BodyMismatchError when the body is not the ETag's MD5, unless the same bytes were read before
    (their digests are kept in `seen`, one set per request); FlexibleChecksumError (from botocore)
    when it fails the stored checksum.
    """
    body = cast(StreamingBody, response["Body"])
    digest = hashlib.md5(usedforsecurity=False)
    try:
        while chunk := body.read(_CHUNK):
            digest.update(chunk)
            into.write(chunk)
    finally:
        body.close()
    if isinstance(body, StreamingChecksumBody):
        return True
    expected = etag_md5(response)
    if expected is None:
        return False
    actual = digest.hexdigest()
    if actual == expected:
        return True
    if actual in seen:
        return False
    seen.add(actual)
    raise BodyMismatchError(f"the body does not match the MD5 its ETag gives ({actual} for {expected})")
