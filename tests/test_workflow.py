"""The editorial workflow of docs/workflow.md, from an empty folder, through the real CLI:
qa new -> edit -> qa review (refused, then recorded) -> qa publish (refused with every
reason, then accepted) -> qa list -> qa stale --group-by reviewer -> qa retire."""

from __future__ import annotations

import datetime as dt

import yaml
from helpers import QA, REPO, commit_all, git, git_init

ID = "can-i-drink-coffee-while-pregnant"
REL = f"answers/womens-health/{ID}.md"
BODY = """Most guidance says up to 200 mg of caffeine a day, about one or two cups of coffee, \
is fine in pregnancy.

## What the research says

Large studies link higher caffeine intake with a slightly lower birth weight [@1].

## What to ask your doctor

- How much caffeine is safe for me?
- Do my other drinks count?
"""
PLACEHOLDER_REF = (
    '  - id: "1"  # qa:placeholder: the source cited as [@1]; add its type, title, DOI or PMID'
)
FULL_REF = (
    "    type: article-journal\n"
    "    title: Maternal caffeine intake during pregnancy and birth weight\n"
    "    container-title: BMC Medicine\n    issued: 2014\n    DOI: 10.1186/1741-7015-12-174\n"
)


def test_the_documented_session_from_an_empty_folder(tmp_path):
    root = tmp_path / "coffee"
    root.mkdir()
    git_init(root)
    qa = QA(root)
    path = root / REL

    made = qa(
        "new",
        "Can I drink coffee while pregnant?",
        "--topic",
        "womens-health",
        "--author",
        "Sam Writer",
    )
    assert made.exit_code == 0, made.output
    template = path.read_text(encoding="utf-8")

    refused = qa("review", ID, "--by", "Jane Doe, MD, obstetrician")
    assert refused.exit_code == 1
    assert "template placeholder text is still on 5 lines" in refused.stderr
    assert path.read_text(encoding="utf-8") == template

    front = template.split("\n---\n", 1)[0]
    front = front.replace(PLACEHOLDER_REF, '  - id: "1"\n    type: article-journal')
    path.write_text(front + "\n---\n" + BODY, encoding="utf-8")
    commit_all(root, "Coffee in pregnancy: first draft", "2026-11-01T10:00:00")

    recorded = qa("review", ID, "--by", "Jane Doe, MD, obstetrician")
    assert recorded.exit_code == 0, recorded.output
    path.write_text(
        path.read_text(encoding="utf-8").replace(
            "is fine in pregnancy", "is fine during pregnancy"
        ),
        encoding="utf-8",
    )

    result, out = qa.json("publish", ID, "--format", "json")
    assert result.exit_code == 1
    [answer] = out["answers"]
    assert answer["result"] == "refused"
    assert [(r["check"], r["line"]) for r in answer["reasons"]] == [
        ("rules", 6),
        ("reference-stubs", 19),
        ("review", 8),
    ]
    assert answer["reasons"][0]["message"].startswith("confidence is empty (null)")
    assert yaml.safe_load(path.read_text(encoding="utf-8").split("---\n")[1])["status"] == "draft"

    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("    type: article-journal\n", FULL_REF, 1), encoding="utf-8")
    commit_all(root, "Coffee in pregnancy: the reference in full", "2026-11-02T10:00:00")
    again = qa("review", ID, "--by", "Jane Doe, MD, obstetrician", "--confidence", "moderate")
    assert again.exit_code == 0, again.output
    published = qa("publish", ID, "--by", "Ed Itor")
    assert published.exit_code == 0, published.output
    assert f"published: {REL} (was draft)" in published.stdout
    assert qa("validate").exit_code == 0

    result, listing = qa.json("list", "--format", "json")
    assert [(r["id"], r["status"], r["reviewers"], r["authors"]) for r in listing["answers"]] == [
        (ID, "published", ["Jane Doe"], ["Sam Writer"])
    ]
    assert listing["by_status"] == {"published": 1}

    due_day = (dt.date.today() + dt.timedelta(days=400)).isoformat()
    result, groups = qa.json("stale", "--group-by", "reviewer", "-f", "json", "--as-of", due_day)
    assert result.exit_code == 1
    assert [(g["name"], [a["id"] for a in g["answers"]]) for g in groups["groups"]] == [
        ("Jane Doe", [ID])
    ]

    retired = qa("retire", ID, "--reason", "Merged into caffeine-in-pregnancy", "--by", "Ed Itor")
    assert retired.exit_code == 0, retired.output
    meta = yaml.safe_load(path.read_text(encoding="utf-8").split("---\n")[1])
    assert meta["status"] == "retired"
    assert [(e["event"], e["by"]) for e in meta["review_log"]] == [
        ("reviewed", "Jane Doe"),
        ("reviewed", "Jane Doe"),
        ("published", "Ed Itor"),
        ("retired", "Ed Itor"),
    ]
    assert meta["review_log"][3]["note"] == "Merged into caffeine-in-pregnancy"
    result, nothing = qa.json("stale", "-f", "json", "--as-of", due_day)
    assert nothing == []
    assert git(root, "ls-files", REL).strip() == REL  # kept in git


def test_the_workflow_guide_shows_each_step():
    guide = (REPO / "docs" / "workflow.md").read_text(encoding="utf-8")
    for command in (
        "qa new",
        "qa review",
        "qa publish",
        "qa list",
        "qa stale --group-by reviewer",
        "qa retire",
    ):
        assert f"$ {command}" in guide, command
    assert "not reviewed: template placeholder text is still on 5 lines" in guide
    assert (
        "not published: answers/womens-health/can-i-drink-coffee-while-pregnant.md: 3 reasons"
        in guide
    )
