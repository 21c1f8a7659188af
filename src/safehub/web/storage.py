"""Static files as WhiteNoise serves them: hashed names, and compressed copies made once."""

from __future__ import annotations

import gzip
import zlib
from collections.abc import Iterable, Iterator
from pathlib import Path

import brotli
from whitenoise.storage import CompressedManifestStaticFilesStorage


class CompressedOnceStorage(CompressedManifestStaticFilesStorage):
    """WhiteNoise's storage, except that a file is not compressed again when the compressed
    copies an earlier collectstatic wrote beside it still unpack to the file as it is now.

    `safehub demo` collects the static files at every start, and compressing them (brotli at
    its best setting) was most of what that cost; unpacking to check is a hundredth of it. A
    file with no copies (compressing it did not pay) or with a stale or damaged one is
    compressed as before.
    """

    def compress_files(self, paths: Iterable[str]) -> Iterator[tuple[str, str]]:
        return super().compress_files(  # type: ignore[no-any-return]
            [name for name in paths if not self._compressed_already(Path(self.path(name)))]
        )

    @staticmethod
    def _compressed_already(path: Path) -> bool:
        try:
            data = path.read_bytes()
            packed = path.with_name(f"{path.name}.br").read_bytes()
            zipped = path.with_name(f"{path.name}.gz").read_bytes()
            return brotli.decompress(packed) == data and gzip.decompress(zipped) == data
        except (OSError, EOFError, brotli.error, zlib.error):  # gzip.BadGzipFile is an OSError
            return False
