"""Finding the library root and reading qa.toml."""

from __future__ import annotations

import datetime as dt

import pytest
from helpers import build_tree, git_init

from qa_tool.config import find_root, load_config
from qa_tool.dates import Interval, parse_interval
from qa_tool.errors import ConfigError, UsageError


def test_root_is_nearest_qa_toml(tmp_path):
    build_tree(tmp_path, {"lib/qa.toml": "", "lib/answers/oncology/x.md": ""})
    git_init(tmp_path)
    assert find_root(tmp_path / "lib" / "answers" / "oncology") == tmp_path / "lib"


def test_root_is_git_top_level_without_qa_toml(tmp_path):
    build_tree(tmp_path, {"answers/oncology/x.md": ""})
    git_init(tmp_path)
    assert find_root(tmp_path / "answers" / "oncology") == tmp_path.resolve()


def test_root_is_current_folder_outside_git(tmp_path):
    assert find_root(tmp_path) == tmp_path.resolve()


def test_defaults_need_no_qa_toml(tmp_path):
    config = load_config(tmp_path)
    assert config.answers_dir == tmp_path.resolve() / "answers"
    assert config.topic_named("oncology").folder == "oncology"
    assert config.topic_named("Women's Health").folder == "womens-health"
    assert config.review.interval_for("Oncology", "moderate") == Interval(6, "m")
    assert config.footer_for("Oncology").startswith(
        "This question is drawn from common patient questions about Oncology"
    )


def test_qa_toml_settings(tmp_path):
    build_tree(
        tmp_path,
        {
            "qa.toml": """
answers_dir = "content"
max_file_bytes = 5000
[review]
default = "1y"
[review.topics]
Oncology = "6m"
[review.confidence]
high = "2y"
low = "3m"
[[topics]]
name = "Oncology"
footer = "Custom footer."
[[topics]]
name = "Heart Health"
folder = "heart"
"""
        },
    )
    config = load_config(tmp_path)
    assert config.answers_dir.name == "content"
    assert config.max_file_bytes == 5000
    assert [(t.name, t.folder) for t in config.topics] == [
        ("Oncology", "oncology"),
        ("Heart Health", "heart"),
    ]
    assert config.footer_for("Oncology") == "Custom footer."
    policy = config.review
    assert policy.interval_for("Heart Health", None) == Interval(1, "y")
    assert policy.interval_for("Heart Health", "high") == Interval(2, "y")
    assert policy.interval_for("Oncology", "high") == Interval(6, "m")  # shorter wins
    assert policy.interval_for("Oncology", "low") == Interval(3, "m")
    with pytest.raises(UsageError, match="known topics: Oncology, Heart Health"):
        config.topic_named("Astrology")


@pytest.mark.parametrize(
    "text",
    ["answers_dir = 3", "[review]\ndefault = 'soon'", "answers_dir = '../outside'", "not toml ["],
)
def test_bad_qa_toml_is_a_config_error(tmp_path, text):
    build_tree(tmp_path, {"qa.toml": text})
    with pytest.raises(ConfigError, match="qa.toml"):
        load_config(tmp_path)


def test_intervals():
    assert parse_interval("30d").after(dt.date(2026, 1, 1)) == dt.date(2026, 1, 31)
    assert parse_interval("2w").after(dt.date(2026, 1, 1)) == dt.date(2026, 1, 15)
    assert parse_interval("6m").after(dt.date(2026, 8, 31)) == dt.date(2027, 2, 28)
    assert parse_interval("1y").after(dt.date(2028, 2, 29)) == dt.date(2029, 2, 28)
    for bad in ("0d", "6", "m6", "six months"):
        with pytest.raises(UsageError):
            parse_interval(bad)
