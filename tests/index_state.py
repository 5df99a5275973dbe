"""What an index looks like from outside: compared before and after anything that must change nothing."""

from __future__ import annotations

from index import store
from index.manifest import MANIFEST_NAME, read_manifest
from settings import Settings

Snapshot = tuple[bytes, int, dict[str, bytes]]


def snapshot(settings: Settings) -> Snapshot:
    """Manifest bytes, the passage count of the Chroma collection it names, and the library's files."""
    manifest = read_manifest(settings.index_dir)
    assert manifest is not None, f"no index in {settings.index_dir}"
    collection = store.get_collection(store.connect(settings), manifest.collection)
    assert collection is not None, f"the manifest names a missing collection {manifest.collection}"
    files = {p.name: p.read_bytes() for p in sorted(settings.data_dir.iterdir())}
    return (settings.index_dir / MANIFEST_NAME).read_bytes(), collection.count(), files
