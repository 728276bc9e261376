"""keras.utils.get_file with extract=True / untar=True (glassnet.data.archive): Keras 3's cache
layout, file:// origins (no network), and hostile archives refused whole."""
from __future__ import annotations

import hashlib
import io
import os
import tarfile
import zipfile

import pytest

import glassnet as tf
from glassnet.data import archive


def _tar(path, members: dict, mode="w:gz", extra=()):
    with tarfile.open(path, mode) as t:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            t.addfile(info, io.BytesIO(data))
        for info in extra:
            t.addfile(info)
    return path


def _zip(path, members: dict):
    with zipfile.ZipFile(path, "w") as z:
        for name, data in members.items():
            z.writestr(name, data)
    return path


FLOWERS = {"flower_photos/roses/a.jpg": b"rose", "flower_photos/tulips/b.jpg": b"tulip",
           "flower_photos/LICENSE.txt": b"CC-BY"}


def _tree(folder):
    out = {}
    for root, _, files in os.walk(folder):
        for f in files:
            path = os.path.join(root, f)
            out[os.path.relpath(path, folder).replace(os.sep, "/")] = open(path, "rb").read()
    return out


@pytest.fixture
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras"))
    monkeypatch.setenv("GLASSNET_HOME", str(tmp_path / "gn"))
    return tmp_path


@pytest.mark.parametrize("mode,suffix", [("w", ".tar"), ("w:gz", ".tgz"), ("w:bz2", ".tar.bz2"), ("w:xz", ".tar.xz"),
                                         ("zip", ".zip")])
def test_extract_every_format_into_kerass_layout(home, mode, suffix):
    src = home / f"flower_photos{suffix}"
    _zip(src, FLOWERS) if mode == "zip" else _tar(src, FLOWERS, mode)
    url = src.as_uri()
    path = tf.keras.utils.get_file("flower_photos", origin=url, extract=True)
    # Keras 3: fname without a dot -> the archive kept as <fname>_archive, unpacked into <fname>/
    assert path == str(home / "gn" / "datasets" / "flower_photos")
    assert os.path.isfile(str(home / "gn" / "datasets" / "flower_photos_archive"))
    assert _tree(path) == FLOWERS
    mask = os.umask(0)
    os.umask(mask)
    assert os.stat(path).st_mode & 0o777 == 0o777 & ~mask          # not mkdtemp's private 0700
    named = tf.keras.utils.get_file(f"data{suffix}", origin=url, extract=True, cache_dir=str(home / "mine"))
    assert named == str(home / "mine" / "datasets" / "data_extracted")            # a dotted fname: <stem>_extracted
    assert _tree(named) == FLOWERS
    unnamed = tf.keras.utils.get_file(origin=url, extract=True, cache_dir=str(home / "mine"), cache_subdir="")
    assert unnamed == str(home / "mine" / src.name) and _tree(unnamed) == FLOWERS


def test_untar_the_imdb_tutorial_call(home, monkeypatch):
    src = _tar(home / "aclImdb_v1.tar.gz", {"aclImdb/train/pos/0.txt": b"great", "aclImdb/train/neg/1.txt": b"bad"})
    monkeypatch.chdir(home)
    dataset = tf.keras.utils.get_file("aclImdb_v1", src.as_uri(), untar=True, cache_dir=".", cache_subdir="")
    assert dataset == os.path.join(".", "aclImdb_v1")                  # what Keras 3.15 returns
    assert sorted(os.listdir(os.path.join(dataset, "aclImdb", "train"))) == ["neg", "pos"]
    assert os.path.isfile("aclImdb_v1_archive")


def test_cached_archive_is_not_downloaded_again_and_extraction_reused(home, monkeypatch):
    src = _tar(home / "a.tgz", FLOWERS)
    digest = hashlib.sha256(src.read_bytes()).hexdigest()
    first = tf.keras.utils.get_file("fp", origin=src.as_uri(), extract=True, file_hash=digest)
    from glassnet.datasets import _fetch
    monkeypatch.setattr(_fetch, "urlopen", lambda *a: pytest.fail("no download expected"))
    marker = os.path.join(first, "mine.txt")
    open(marker, "w").close()
    assert tf.keras.utils.get_file("fp", origin=src.as_uri(), extract=True, file_hash=digest) == first
    assert os.path.exists(marker)                   # reused, not unpacked again
    monkeypatch.undo()
    os.environ["KERAS_HOME"], os.environ["GLASSNET_HOME"] = str(home / "keras"), str(home / "gn")
    again = tf.keras.utils.get_file("fp", origin=src.as_uri(), extract=True, force_download=True)
    assert again == first and not os.path.exists(marker) and _tree(again) == FLOWERS   # replaced whole


def test_an_archive_tensorflow_left_in_kerass_cache_is_used(home, monkeypatch):
    (home / "keras" / "datasets").mkdir(parents=True)
    _tar(home / "keras" / "datasets" / "fp_archive", FLOWERS)
    from glassnet.datasets import _fetch
    monkeypatch.setattr(_fetch, "urlopen", lambda *a: pytest.fail("no download expected"))
    path = tf.keras.utils.get_file("fp", origin="https://example.org/fp.tgz", extract=True)
    assert path == str(home / "keras" / "datasets" / "fp") and _tree(path) == FLOWERS


def test_not_an_archive_and_wrong_hash(home):
    src = home / "plain.bin"
    src.write_bytes(b"just bytes, no archive")
    with pytest.raises(ValueError, match="is not a tar or zip archive, so it cannot be extracted"):
        tf.keras.utils.get_file("plain", origin=src.as_uri(), extract=True)
    assert not os.path.exists(home / "gn" / "datasets" / "plain")
    with pytest.raises(ValueError, match="is not a zip archive"):
        tf.keras.utils.get_file("plain", origin=src.as_uri(), extract=True, archive_format="zip")
    with pytest.raises(ValueError, match="expected 0{64}; it was discarded"):
        tf.keras.utils.get_file("other", origin=src.as_uri(), extract=True, file_hash="0" * 64)
    assert not os.path.exists(home / "gn" / "datasets" / "other_archive")
    with pytest.raises(ValueError, match="archive_format must be"):
        tf.keras.utils.get_file("plain", origin=src.as_uri(), extract=True, archive_format="rar")
    with pytest.raises(ConnectionError, match="could not download"):
        tf.keras.utils.get_file("missing", origin=(home / "nothing.tgz").as_uri(), extract=True)


# -- hostile archives: refused whole, nothing left behind -----------------------------------------
def _link(name, target, kind=tarfile.SYMTYPE):
    info = tarfile.TarInfo(name)
    info.type, info.linkname = kind, target
    return info


HOSTILE = {
    "dotdot": ({"ok/a.txt": b"a", "../escaped.txt": b"evil"}, (), "points outside the extraction folder"),
    "deep dotdot": ({"ok/../../escaped.txt": b"evil"}, (), "points outside"),
    "absolute": ({"/tmp/glassnet_absolute.txt": b"evil"}, (), "has an absolute path"),
    "symlink out": ({"ok/a.txt": b"a"}, (_link("ok/link", "../../etc/passwd"),), "is a link to '../../etc/passwd'"),
    "absolute symlink": ({}, (_link("ok/link", "/etc/passwd"),), "outside the extraction folder"),
    "hardlink out": ({}, (_link("ok/hard", "../../etc/passwd", tarfile.LNKTYPE),), "points outside"),
    "device": ({}, (_link("dev", "", tarfile.CHRTYPE),), "is a device, fifo or other special file"),
    "fifo": ({}, (_link("fifo", "", tarfile.FIFOTYPE),), "is a device, fifo"),
}


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_hostile_tar_members_refuse_the_whole_archive(home, case):
    members, extra, message = HOSTILE[case]
    src = _tar(home / "evil.tgz", members, extra=extra)
    with pytest.raises(ValueError, match=message):
        tf.keras.utils.get_file("evil", origin=src.as_uri(), extract=True)
    datasets = home / "gn" / "datasets"
    assert sorted(os.listdir(datasets)) == ["evil_archive"]       # no folder, no temporary folder
    assert not os.path.exists(home / "gn" / "escaped.txt") and not os.path.exists("/tmp/glassnet_absolute.txt")


def test_a_chain_of_links_cannot_climb_out(home):
    # "a" -> "." is inside; "a/c" -> ".." looks inside by its name (root/a/..) but a is root, so c is
    # root/.. ; a file written through "a/c/evil" would land outside
    src = _tar(home / "chain.tar", {}, mode="w", extra=(_link("a", "."), _link("a/c", "..")))
    with tarfile.open(src, "a") as t:
        info = tarfile.TarInfo("a/c/evil.txt")
        info.size = 4
        t.addfile(info, io.BytesIO(b"evil"))
    with pytest.raises(ValueError, match="outside the extraction folder"):
        tf.keras.utils.get_file("chain", origin=src.as_uri(), extract=True)
    assert sorted(os.listdir(home / "gn" / "datasets")) == ["chain_archive"]
    assert not (home / "gn" / "evil.txt").exists()


def test_links_inside_the_folder_are_kept(home):
    src = _tar(home / "links.tar", {"d/a.txt": b"a"}, mode="w",
               extra=(_link("d/sym", "a.txt"), _link("d/hard", "d/a.txt", tarfile.LNKTYPE)))
    path = tf.keras.utils.get_file("links", origin=src.as_uri(), extract=True)
    assert os.readlink(os.path.join(path, "d", "sym")) == "a.txt"
    assert open(os.path.join(path, "d", "hard"), "rb").read() == b"a"


def test_hostile_zip_members(home):
    for name, message in (("../escaped.txt", "points outside"), ("/abs.txt", "absolute path"),
                          ("C:/windows.txt", "absolute path")):
        src = _zip(home / "evil.zip", {"ok.txt": b"ok", name: b"evil"})
        with pytest.raises(ValueError, match=message):
            tf.keras.utils.get_file("evilzip", origin=src.as_uri(), extract=True, force_download=True)
        assert not os.path.exists(home / "gn" / "datasets" / "evilzip")
    src = home / "link.zip"
    with zipfile.ZipFile(src, "w") as z:
        info = zipfile.ZipInfo("link")
        info.external_attr = (0o120777 << 16)
        z.writestr(info, "/etc/passwd")
    with pytest.raises(ValueError, match="is a symbolic link"):
        tf.keras.utils.get_file("ziplink", origin=src.as_uri(), extract=True)


def test_archive_bombs_are_capped(home, monkeypatch):
    src = _tar(home / "big.tgz", {f"f{i}.txt": b"x" * 1000 for i in range(20)})
    monkeypatch.setattr(archive, "MAX_TOTAL_BYTES", 10_000)
    with pytest.raises(ValueError, match="unpacks to more than 10000 bytes .*an archive bomb"):
        tf.keras.utils.get_file("big", origin=src.as_uri(), extract=True)
    monkeypatch.setattr(archive, "MAX_TOTAL_BYTES", 10 ** 9)
    monkeypatch.setattr(archive, "MAX_MEMBERS", 5)
    with pytest.raises(ValueError, match="holds more than 5 members"):
        tf.keras.utils.get_file("big", origin=src.as_uri(), extract=True)
    assert sorted(os.listdir(home / "gn" / "datasets")) == ["big_archive"]


def test_a_damaged_archive_keeps_the_previous_extraction(home):
    src = _tar(home / "fp.tgz", FLOWERS)
    path = tf.keras.utils.get_file("fp", origin=src.as_uri(), extract=True)
    good = src.read_bytes()
    src.write_bytes(good[: len(good) // 2])                        # a download cut short
    with pytest.raises(ValueError, match="damaged tar archive"):
        tf.keras.utils.get_file("fp", origin=src.as_uri(), extract=True, force_download=True)
    assert _tree(path) == FLOWERS                                   # the old extraction, untouched
    assert sorted(os.listdir(home / "gn" / "datasets")) == ["fp", "fp_archive"]
