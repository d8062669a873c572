import os

import pytest

from core.storage import LocalStorage, UrlSigner


def test_signed_urls_verify_and_expire():
    signer = UrlSigner(b"secret", ttl_seconds=60)
    expires, signature = signer.sign("img_1", now=1000)
    assert expires == 1060
    assert signer.verify("img_1", expires, signature, now=1059) is None
    assert signer.verify("img_1", expires, signature, now=1061) == "url_expired"
    assert signer.verify("img_2", expires, signature, now=1000) == "invalid_signature"
    assert signer.verify("img_1", expires + 1, signature, now=1000) == "invalid_signature"
    assert signer.verify("img_1", expires, "\u0080é", now=1000) == "invalid_signature"
    assert UrlSigner(b"other", 60).verify("img_1", expires, signature, now=1000) == "invalid_signature"


def test_local_storage_roundtrip_and_no_escape(tmp_path):
    store = LocalStorage(tmp_path / "images")
    store.put("outputs/job/0.png", b"abc")
    store.put("outputs/job/0.png", b"abcd")  # a redelivered job replaces its file
    assert store.get("outputs/job/0.png") == b"abcd"
    store.put("outputs/job/1.png", b"x")
    store.delete("outputs/job/0.png")
    store.delete("outputs/job/0.png")
    with pytest.raises(FileNotFoundError):
        store.get("outputs/job/0.png")
    assert (tmp_path / "images/outputs/job").is_dir()  # still holds 1.png
    store.delete("outputs/job/1.png")
    assert not (tmp_path / "images/outputs/job").exists()  # the folder goes with its last file
    assert (tmp_path / "images/outputs").is_dir()
    with pytest.raises(ValueError):
        store.put("../outside.png", b"x")


def test_local_storage_syncs_the_file_and_its_new_folders_to_disk(tmp_path, monkeypatch):
    """A job is committed as succeeded only after its images are put: they must be on disk by then."""
    import core.storage

    synced = []
    real_fsync = os.fsync

    def recording_fsync(fd):
        synced.append(os.readlink(f"/proc/self/fd/{fd}"))
        real_fsync(fd)

    monkeypatch.setattr(core.storage.os, "fsync", recording_fsync)
    store = LocalStorage(tmp_path / "images")
    store.put("outputs/job/0.png", b"abc")
    root = (tmp_path / "images").resolve()
    assert any(name.startswith(str(root / "outputs/job/.0.png.")) for name in synced)  # the data, before its rename
    for folder in (root / "outputs/job", root / "outputs", root):  # the new name and the new folders' entries
        assert str(folder) in synced


def test_a_local_store_that_cannot_write_is_unavailable_and_leaves_no_partial_file(tmp_path, monkeypatch):
    """A full disk is the store's fault: StorageUnavailable (the API's 503), not an unexplained 500."""
    import errno

    import core.storage
    from core.storage import StorageUnavailable

    store = LocalStorage(tmp_path / "images")
    store.put("outputs/job/0.png", b"kept")

    def disk_full(fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(core.storage.os, "fsync", disk_full)
    with pytest.raises(StorageUnavailable, match="No space left"):
        store.put("outputs/job/0.png", b"new")
    assert store.get("outputs/job/0.png") == b"kept"
    assert sorted(p.name for p in (tmp_path / "images/outputs/job").iterdir()) == ["0.png"]
