"""`fcc lists refresh`: download each publisher's current file and load it like `fcc lists load`."""

from __future__ import annotations

import logging
import shutil
import tempfile
import urllib.request
from pathlib import Path

from pyspark.sql import SparkSession

from fcc.core.lakehouse import Lakehouse
from fcc.ingest.lists.load import load_list

log = logging.getLogger(__name__)

# name -> (URL, file name, format); see docs/lists.md
PUBLISHERS = {
    "ofac-sdn": (
        "https://sanctionslistservice.ofac.treas.gov/api/PublicationPreview/exports/SDN_ADVANCED.XML",
        "sdn_advanced.xml",
        "ofac-advanced",
    ),
    "ofac-consolidated": (
        "https://sanctionslistservice.ofac.treas.gov/api/PublicationPreview/exports/CONS_ADVANCED.XML",
        "cons_advanced.xml",
        "ofac-advanced",
    ),
    "un": (
        "https://scsanctions.un.org/resources/xml/en/consolidated.xml",
        "un_consolidated.xml",
        "un-xml",
    ),
}


class DownloadError(RuntimeError):
    """A publisher's file could not be downloaded."""


def download(url: str, target: Path, timeout: float = 120) -> Path:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response, target.open("wb") as out:  # noqa: S310
            shutil.copyfileobj(response, out)
    except OSError as exc:
        raise DownloadError(f"could not download {url}: {exc}") from exc
    return target


def refresh_lists(
    spark: SparkSession, lakehouse: Lakehouse, names: list[str] | None = None
) -> list[dict]:
    """Download and load every configured publisher's list; stops at the first failure."""
    results = []
    with tempfile.TemporaryDirectory(prefix="fcc-lists-") as tmp:
        for name in names or list(PUBLISHERS):
            url, filename, fmt = PUBLISHERS[name]
            log.info("downloading %s", name)
            path = download(url, Path(tmp) / filename)
            results.append(load_list(spark, lakehouse, path, fmt))
    return results
