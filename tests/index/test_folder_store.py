"""The folder store (index/folder_store.py): round trip, atomic versions, clear errors on
damage, and never losing a user's versions. Storage only: random unit vectors stand in for
embeddings, so no model is needed."""

import json
import os

import numpy as np
import pytest

from kazrag.errors import IndexStoreError
from kazrag.index import folder_store
from kazrag.index.base import IndexContents
from kazrag.index.folder_store import FolderStore


def _contents(n=12, dim=8, seed=0, **manifest) -> IndexContents:
    rng = np.random.default_rng(seed)
    vectors = rng.normal(size=(n, dim)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    return IndexContents(
        manifest=dict({"chunks": n, "model": "m"}, **manifest),
        records=[{"chunk_id": i, "text": f"passage {i}"} for i in range(n)],
        chunk_vectors=vectors,
        sentence_vectors=np.repeat(vectors, 2, axis=0),
        sentence_counts=[2] * n,
        keyword_tokens=[["passage", f"w{i}"] for i in range(n)],
        documents=[{"doc_id": "d", "source": "text", "seed": seed}],
    )


def _write(store, **kwargs):
    contents = _contents(**kwargs)
    return store.root / store.write(contents), contents.chunk_vectors


def test_round_trip(tmp_path):
    store = FolderStore(tmp_path)
    assert store.state() == "empty"
    version, vectors = _write(store)
    loaded = store.load()
    assert store.state() == "index" and loaded.id == version.name == store.current_id()
    assert [r["chunk_id"] for r in loaded.chunks.get(range(12))] == list(range(12))
    scores, rows = loaded.vectors.search(vectors[3:4], 1)
    assert rows[0][0] == 3 and scores[0][0] == pytest.approx(1.0, abs=1e-5)
    sentences, counts = loaded.sentences.of_chunks(np.array([4, 1]))
    assert counts.tolist() == [2, 2] and np.allclose(sentences[0], vectors[4])
    assert np.allclose(sentences[2], vectors[1])
    assert max(loaded.keyword.search(["w5"], 3), key=loaded.keyword.search(["w5"], 3).get) == 5
    assert store.load_documents() == [{"doc_id": "d", "source": "text", "seed": 0}]


def test_a_new_build_swaps_versions_and_keeps_only_the_previous_one(tmp_path):
    store = FolderStore(tmp_path)
    first, _ = _write(store, seed=1)
    second, _ = _write(store, seed=2)
    third, _ = _write(store, seed=3)
    assert store.current_id() == third.name
    assert second.exists() and not first.exists()  # a reader of `second` is not cut off
    assert not [p for p in tmp_path.iterdir() if ".tmp-" in p.name]


def test_missing_index_says_how_to_build(tmp_path):
    with pytest.raises(IndexStoreError, match="kazrag index build"):
        FolderStore(tmp_path / "nothing-here").load()


def test_truncated_faiss_file_is_a_clear_error(tmp_path):
    version, _ = _write(FolderStore(tmp_path))
    path = version / "vectors.faiss"
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    with pytest.raises(IndexStoreError) as info:
        FolderStore(tmp_path).load()
    assert "vectors.faiss" in str(info.value) and "--rebuild" in str(info.value)


@pytest.mark.parametrize("damage", ["garble", "empty"])
def test_every_file_of_a_version_is_checked_keyword_index_too(tmp_path, damage):
    version, _ = _write(FolderStore(tmp_path))
    keyword_files = sorted((version / "keyword").glob("*.npy"))
    assert keyword_files
    target = keyword_files[0]
    data = bytearray(target.read_bytes())
    if damage == "garble":
        data[-4:] = b"\xff\x00\xff\x00"
        target.write_bytes(bytes(data))
    else:
        target.write_bytes(b"")
    with pytest.raises(IndexStoreError, match=r"keyword/.*does not match its manifest"):
        FolderStore(tmp_path).load()


def test_edited_manifest_is_detected(tmp_path):
    version, _ = _write(FolderStore(tmp_path))
    manifest = json.loads((version / "manifest.json").read_text())
    manifest["model"] = "another-model"
    (version / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(IndexStoreError, match="edited"):
        FolderStore(tmp_path).load()


def test_garbled_manifest_is_a_clear_error(tmp_path):
    version, _ = _write(FolderStore(tmp_path))
    (version / "manifest.json").write_bytes(b"\xff\xfe{not json")
    with pytest.raises(IndexStoreError, match=r"unreadable \(not UTF-8 JSON\).*--rebuild"):
        FolderStore(tmp_path).read_manifest()


def test_record_count_mismatch_is_detected(tmp_path):
    store = FolderStore(tmp_path)
    _write(store, chunks=99)  # the manifest claims more chunks than were written
    with pytest.raises(IndexStoreError, match="inconsistent"):
        store.load()


def test_a_failed_write_leaves_the_old_index_usable(tmp_path, monkeypatch):
    store = FolderStore(tmp_path)
    old, _ = _write(store, seed=1)

    def full_disk(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(folder_store.np, "save", full_disk)
    with pytest.raises(IndexStoreError, match="No space left.*previous index is unchanged"):
        _write(store, seed=2)
    monkeypatch.undo()
    assert store.current_id() == old.name
    assert store.load().id == old.name
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith("v-")] == [old.name]


def test_current_is_a_relative_symlink(tmp_path):
    _write(FolderStore(tmp_path))
    link = tmp_path / folder_store.CURRENT
    assert link.is_symlink() and not os.path.isabs(os.readlink(link))


def test_a_lost_pointer_recovers_the_newest_complete_version(tmp_path):
    store = FolderStore(tmp_path)
    _write(store, seed=1)
    newest, _ = _write(store, seed=2)
    (tmp_path / folder_store.CURRENT).unlink()
    fresh = FolderStore(tmp_path)
    assert fresh.state() == "index"  # not "empty": nothing may be built over the versions
    loaded = fresh.load()
    assert loaded.id == newest.name and fresh.current_id() == newest.name
    assert any("missing" in note for note in loaded.notes)
    assert fresh.load_documents()[0]["seed"] == 2


def test_a_damaged_newest_version_falls_back_to_an_older_complete_one(tmp_path):
    store = FolderStore(tmp_path)
    older, _ = _write(store, seed=1)
    newest, _ = _write(store, seed=2)
    os.symlink("v-gone", tmp_path / ".tmp-link")
    os.replace(tmp_path / ".tmp-link", tmp_path / folder_store.CURRENT)  # a broken pointer
    (newest / "vectors.faiss").write_bytes(b"")
    assert FolderStore(tmp_path).load().id == older.name


def test_a_write_after_a_lost_pointer_deletes_no_version(tmp_path):
    store = FolderStore(tmp_path)
    first, _ = _write(store, seed=1)
    second, _ = _write(store, seed=2)
    (tmp_path / folder_store.CURRENT).unlink()
    third, _ = FolderStore(tmp_path).root / FolderStore(tmp_path).write(_contents(seed=3)), None
    assert first.exists() and second.exists() and third.exists()


def test_a_pointer_to_nothing_with_no_versions_stops_with_a_message(tmp_path):
    os.symlink("v-20260101-000000.000000-abcdef", tmp_path / folder_store.CURRENT)
    with pytest.raises(IndexStoreError, match="is gone, and no complete version is left"):
        FolderStore(tmp_path).state()


def test_a_folder_of_other_files_is_not_taken_for_an_empty_index(tmp_path):
    (tmp_path / "thesis.docx").write_bytes(b"mine")
    with pytest.raises(IndexStoreError, match="not a kazrag index .*thesis.docx"):
        FolderStore(tmp_path).state()


@pytest.mark.parametrize("pid", [999999999, 1, os.getpid()], ids=["gone", "init", "this-one"])
def test_temp_folders_of_a_killed_writer_are_removed_by_the_next_write(tmp_path, pid):
    # only a writer holding the lock makes them, so the next holder removes them whatever
    # their PID says now (PIDs are reused: a restarted container counts from 1 again)
    store = FolderStore(tmp_path)
    _write(store, seed=1)
    dead = tmp_path / f".v-20260101-000000.000000-abcdef.tmp-{pid}-x"
    dead.mkdir()
    (dead / "vectors.faiss").write_bytes(b"half")
    (tmp_path / "embeddings").mkdir()
    half_cache = tmp_path / "embeddings" / f"cache-8.tmp-{pid}.npz"
    half_cache.write_bytes(b"PK")
    os.symlink("v-gone", tmp_path / ".current-abc123")  # a pointer swap cut short
    with store.writer_lock():
        pass  # any command that takes the lock, even one that writes nothing
    assert not dead.exists() and not half_cache.exists()
    assert not (tmp_path / ".current-abc123").is_symlink()
    assert store.load().id == store.current_id()
