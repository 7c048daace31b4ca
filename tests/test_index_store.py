"""The on-disk index (index/store.py): round trip, atomic versions, clear errors on damage.
Storage only: random unit vectors stand in for embeddings, so no model is needed."""

import json
import os

import numpy as np
import pytest

from kazrag.index import store
from kazrag.index.keyword import KeywordIndex


def _save(index_dir, n=12, dim=8, seed=0, **manifest):
    rng = np.random.default_rng(seed)
    vectors = rng.normal(size=(n, dim)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    records = [{"chunk_id": i, "text": f"passage {i}", "sentence_offset": i} for i in range(n)]
    keyword = KeywordIndex.build([["passage", f"w{i}"] for i in range(n)])
    version = store.save(index_dir, dict({"chunks": n, "model": "m"}, **manifest), vectors,
                         records, vectors, keyword, [{"doc_id": "d", "source": "text"}])
    return version, vectors


def test_round_trip(tmp_path):
    version, vectors = _save(tmp_path)
    loaded = store.load(tmp_path)
    assert loaded.path == version
    assert [r["chunk_id"] for r in loaded.records] == list(range(12))
    scores, rows = loaded.vectors.search(vectors[3:4], 1)
    assert rows[0][0] == 3 and scores[0][0] == pytest.approx(1.0, abs=1e-5)
    assert loaded.keyword.scores(["w5"]).argmax() == 5
    assert store.load_documents(version) == [{"doc_id": "d", "source": "text"}]


def test_a_new_build_swaps_versions_and_keeps_only_the_previous_one(tmp_path):
    first, _ = _save(tmp_path, seed=1)
    second, _ = _save(tmp_path, seed=2)
    third, _ = _save(tmp_path, seed=3)
    assert store.current_version(tmp_path) == third
    assert second.exists() and not first.exists()  # a reader of `second` is not cut off
    assert not list(tmp_path.glob(".staging-*"))


def test_missing_index_says_how_to_build(tmp_path):
    with pytest.raises(store.IndexError_, match="kazrag index build"):
        store.load(tmp_path / "nothing-here")


def test_truncated_faiss_file_is_a_clear_error(tmp_path):
    version, _ = _save(tmp_path)
    path = version / "vectors.faiss"
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    with pytest.raises(store.IndexError_) as info:
        store.load(tmp_path)
    assert "vectors.faiss" in str(info.value) and "--rebuild" in str(info.value)


def test_edited_manifest_is_detected(tmp_path):
    version, _ = _save(tmp_path)
    manifest = json.loads((version / "manifest.json").read_text())
    manifest["model"] = "another-model"
    (version / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(store.IndexError_, match="edited"):
        store.load(tmp_path)


def test_record_count_mismatch_is_detected(tmp_path):
    with pytest.raises(store.IndexError_, match="inconsistent"):
        _save(tmp_path, chunks=99)  # the manifest claims more chunks than were written
        store.load(tmp_path)


def test_a_failed_write_leaves_the_old_index_usable(tmp_path, monkeypatch):
    old, _ = _save(tmp_path, seed=1)

    def full_disk(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(store.np, "save", full_disk)
    with pytest.raises(store.IndexError_, match="previous index is unchanged"):
        _save(tmp_path, seed=2)
    monkeypatch.undo()
    assert store.current_version(tmp_path) == old
    assert store.load(tmp_path).path == old
    assert not list(tmp_path.glob(".staging-*"))


def test_current_is_a_symlink_swapped_atomically(tmp_path):
    _save(tmp_path)
    link = tmp_path / store.CURRENT
    assert link.is_symlink() and not os.path.isabs(os.readlink(link))
