"""Helpers of the cache and shipped-form tests."""

from __future__ import annotations

import hashlib
import json


def write_signed(path, record: dict) -> None:
    """Write a (tampered) cache record with the SHA-256 its payload needs to be read: what an
    attacker who can write the cache directory can do."""
    canonical = json.dumps(record["payload"], sort_keys=True, separators=(",", ":"))
    record["sha256"] = hashlib.sha256(canonical.encode()).hexdigest()
    path.write_text(json.dumps(record))
