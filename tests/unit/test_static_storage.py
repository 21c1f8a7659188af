"""The static files' storage compresses a file once, and never a source map."""

from __future__ import annotations

from pathlib import Path

from safehub.web.storage import CompressedOnceStorage

SCRIPT = "document.body.classList.add('js-enabled');\n" * 200


def _compressed(storage: CompressedOnceStorage, *names: str) -> list[str]:
    return sorted(compressed for _, compressed in storage.compress_files(names))


def test_a_file_is_compressed_again_only_when_its_copies_no_longer_match_it(
    tmp_path: Path,
) -> None:
    storage = CompressedOnceStorage(location=tmp_path)
    script = tmp_path / "app.js"
    script.write_text(SCRIPT)
    assert _compressed(storage, "app.js") == ["app.js.br", "app.js.gz"]
    assert _compressed(storage, "app.js") == []  # as at a second `safehub demo`

    script.write_text(SCRIPT + "document.title = 'changed';\n")
    assert _compressed(storage, "app.js") == ["app.js.br", "app.js.gz"]

    packed = tmp_path / "app.js.br"
    packed.write_bytes(packed.read_bytes()[:-10])  # cut short, as by a collectstatic killed
    assert _compressed(storage, "app.js") == ["app.js.br", "app.js.gz"]
    (tmp_path / "app.js.gz").unlink()
    assert _compressed(storage, "app.js") == ["app.js.br", "app.js.gz"]


def test_a_source_map_is_served_as_it_is(tmp_path: Path) -> None:
    storage = CompressedOnceStorage(location=tmp_path)
    (tmp_path / "app.js.map").write_text('{"mappings": "' + "AAAA;" * 2000 + '"}')
    assert _compressed(storage, "app.js.map") == []
    assert not (tmp_path / "app.js.map.br").exists()
