"""``qa verify``: a fresh bundle passes; a tampered one fails, naming each file."""

from __future__ import annotations

import io
import json
import tarfile
import zipfile
from pathlib import Path

import pytest
from helpers import QA, answer_text, build_tree

ONC = "answers/oncology"
KINDS = ["site", "bundle.zip", "bundle.tar.gz"]


@pytest.fixture
def bundles(library: Path, tmp_path: Path) -> dict[str, Path]:
    """The same two answers exported as a folder, a .zip and a .tar.gz."""
    build_tree(
        library,
        {f"{ONC}/pub-one.md": answer_text("pub-one"), f"{ONC}/pub-two.md": answer_text("pub-two")},
    )
    qa = QA(library)
    out = {}
    for name in KINDS:
        result = qa("export", "--out", str(tmp_path / name), "-f", "jsonl", "-f", "md", "-q")
        assert result.exit_code == 0, result.output
        out[name] = tmp_path / name
    return out


def verify(path: Path, *args: str):
    return QA(path.parent)("verify", str(path), *args, root=False)


def verify_json(path: Path) -> tuple[int, dict]:
    result = verify(path, "--format", "json")
    return result.exit_code, json.loads(result.stdout)


def read_members(path: Path) -> dict[str, bytes]:
    if path.is_dir():
        return {
            p.relative_to(path).as_posix(): p.read_bytes()
            for p in sorted(path.rglob("*"))
            if p.is_file()
        }
    if path.name.endswith(".zip"):
        with zipfile.ZipFile(path) as archive:
            return {i.filename: archive.read(i) for i in archive.infolist()}
    with tarfile.open(path) as archive:
        return {m.name: archive.extractfile(m).read() for m in archive.getmembers()}


def write_members(path: Path, members: dict[str, bytes]) -> None:
    """Write ``members`` back in the bundle's own kind (a tamperer's rewrite)."""
    if path.is_dir():
        for old in sorted(path.rglob("*"), reverse=True):
            old.unlink() if old.is_file() else old.rmdir()
        build_tree(path, members)
    elif path.name.endswith(".zip"):
        with zipfile.ZipFile(path, "w") as archive:
            for name, data in members.items():
                archive.writestr(name, data)
    else:
        with tarfile.open(path, "w:gz") as archive:
            for name, data in members.items():
                info = tarfile.TarInfo(name)
                info.size = len(data)
                archive.addfile(info, io.BytesIO(data))


@pytest.mark.parametrize("name", KINDS)
def test_a_fresh_bundle_is_intact(bundles, name):
    code, report = verify_json(bundles[name])
    assert code == 0
    assert report["intact"] is True
    assert report["problems"] == []
    assert report["files_checked"] == 8  # 5 BagIt/qa files + answers.jsonl + 2 md
    assert (
        report["kind"] == {"site": "folder", "bundle.zip": "zip", "bundle.tar.gz": "tar.gz"}[name]
    )
    assert report["manifest"]["answer_count"] == 2
    result = verify(bundles[name])
    assert result.exit_code == 0
    assert f"{bundles[name]}: intact: 8 files match the manifest (2 answers" in result.stdout


@pytest.mark.parametrize("name", KINDS)
def test_a_tampered_bundle_fails_naming_each_file(bundles, name):
    path = bundles[name]
    members = read_members(path)
    jsonl = members["data/answers.jsonl"]
    members["data/answers.jsonl"] = jsonl.replace(b"Jane Doe", b"John Roe")  # same size
    members["data/md/oncology/pub-two.md"] += b"\nOne more line.\n"
    del members["data/md/oncology/pub-one.md"]
    members["data/extra.html"] = b"<p>not ours</p>\n"
    write_members(path, members)

    code, report = verify_json(path)
    assert code == 1
    assert report["intact"] is False
    assert [(p["kind"], p["path"]) for p in report["problems"]] == [
        ("altered", "data/answers.jsonl"),
        ("extra", "data/extra.html"),
        ("missing", "data/md/oncology/pub-one.md"),
        ("altered", "data/md/oncology/pub-two.md"),
    ]
    messages = {p["path"]: p["message"] for p in report["problems"]}
    assert messages["data/answers.jsonl"].startswith("altered: SHA-256 ")
    size = len(answer_text("pub-two").encode())
    assert messages["data/md/oncology/pub-two.md"] == (
        f"altered: {size + 16:,} bytes where the manifest says {size:,}"
    )

    result = verify(path)
    assert result.exit_code == 1
    assert f"{path}: 4 problems" in result.stdout
    for problem in report["problems"]:
        assert problem["path"] in result.stdout


def test_a_forged_manifest_is_caught_by_the_bagit_files(bundles):
    site = bundles["site"]
    target = site / "data" / "answers.jsonl"
    target.write_bytes(target.read_bytes().replace(b"Jane Doe", b"John Roe"))
    manifest = json.loads((site / "manifest.json").read_text())
    import hashlib

    for item in manifest["files"]:
        if item["path"] == "data/answers.jsonl":
            item["sha256"] = hashlib.sha256(target.read_bytes()).hexdigest()
    (site / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    code, report = verify_json(site)
    assert code == 1
    assert [(p["kind"], p["path"]) for p in report["problems"]] == [
        ("altered", "manifest-sha256.txt"),
        ("altered", "manifest.json"),
    ]
    assert "data/answers.jsonl" in report["problems"][0]["message"]


def test_a_manifest_that_breaks_its_schema(bundles):
    site = bundles["site"]
    manifest = json.loads((site / "manifest.json").read_text())
    manifest["bundle_format"] = "one"
    del manifest["files"][0]["sha256"]
    (site / "manifest.json").write_text(json.dumps(manifest))
    code, report = verify_json(site)
    assert code == 1
    manifest_problems = [p["message"] for p in report["problems"] if p["kind"] == "manifest"]
    assert manifest_problems == [
        "$.bundle_format: 'one' is not of type 'integer'",
        "$.files[0]: 'sha256' is a required property",
    ]

    (site / "manifest.json").write_text("{not json")
    code, report = verify_json(site)
    assert code == 1
    assert report["manifest"] is None
    assert report["problems"][0]["kind"] == "manifest"
    assert report["problems"][0]["message"].startswith("not readable JSON")


def test_a_folder_without_manifest_is_not_a_bundle(tmp_path):
    folder = build_tree(tmp_path / "x", {"data/a.txt": "a\n"})
    code, report = verify_json(folder)
    assert code == 1
    assert report["problems"] == [
        {
            "kind": "missing",
            "path": "manifest.json",
            "message": "no manifest.json: not a qa bundle, or it was removed",
        }
    ]


def test_unsafe_archive_members_are_named_and_never_extracted(bundles, tmp_path):
    members = read_members(bundles["bundle.tar.gz"])
    evil = tmp_path / "evil.tar.gz"
    with tarfile.open(evil, "w:gz") as archive:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
        for name in ("../escaped.txt", "/tmp/absolute-qa-test.txt", "data/../../up.txt"):
            info = tarfile.TarInfo(name)
            info.size = 4
            archive.addfile(info, io.BytesIO(b"evil"))
        link = tarfile.TarInfo("data/link")
        link.type = tarfile.SYMTYPE
        link.linkname = "/etc/passwd"
        archive.addfile(link)
    before = sorted(p.name for p in tmp_path.iterdir())
    code, report = verify_json(evil)
    assert code == 1
    assert [(p["kind"], p["path"]) for p in report["problems"]] == [
        ("unsafe", "../escaped.txt"),
        ("unsafe", "/tmp/absolute-qa-test.txt"),
        ("unsafe", "data/../../up.txt"),
        ("unsafe", "data/link"),
    ]
    assert [p["message"] for p in report["problems"]] == [
        "unsafe archive member ('..' in its path); not read",
        "unsafe archive member (absolute path); not read",
        "unsafe archive member ('..' in its path); not read",
        "is a link; not read",
    ]
    assert sorted(p.name for p in tmp_path.iterdir()) == before
    assert not Path("/tmp/absolute-qa-test.txt").exists()

    members = read_members(bundles["bundle.zip"])
    evil_zip = tmp_path / "evil.zip"
    with zipfile.ZipFile(evil_zip, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
        archive.writestr("../escaped.txt", b"evil")
        link = zipfile.ZipInfo("data/link")
        link.create_system = 3
        link.external_attr = 0o120777 << 16
        archive.writestr(link, "/etc/passwd")
    code, report = verify_json(evil_zip)
    assert code == 1
    assert [(p["kind"], p["path"], p["message"]) for p in report["problems"]] == [
        ("unsafe", "../escaped.txt", "unsafe archive member ('..' in its path); not read"),
        ("unsafe", "data/link", "is a symbolic link; not read"),
    ]


def test_a_link_inside_a_folder_bundle_is_not_followed(bundles, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("secret\n")
    (bundles["site"] / "data" / "link.txt").symlink_to(secret)
    code, report = verify_json(bundles["site"])
    assert code == 1
    assert report["problems"] == [
        {
            "kind": "unsafe",
            "path": "data/link.txt",
            "message": "is not a regular file (a link or a device); not read",
        }
    ]


@pytest.mark.parametrize("name", ["bundle.zip", "bundle.tar.gz"])
def test_a_damaged_archive_fails(bundles, name):
    path = bundles[name]
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    code, report = verify_json(path)
    assert code == 1
    assert [p["kind"] for p in report["problems"]] == ["unreadable"]
    assert report["problems"][0]["path"] == name


def test_usage_errors(tmp_path):
    result = verify(tmp_path / "nothing.zip")
    assert result.exit_code == 2
    assert "no such file or folder" in result.stderr
    (tmp_path / "x.tgz").write_bytes(b"")
    result = verify(tmp_path / "x.tgz")
    assert result.exit_code == 2
    assert "qa writes .zip and .tar.gz archives" in result.stderr
