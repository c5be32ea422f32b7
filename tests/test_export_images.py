"""Exported pages load nothing from elsewhere: an image becomes a link with its alt text."""

from __future__ import annotations

from html.parser import HTMLParser

from helpers import QA, answer_text, build_tree

from qa_tool.render import Renderer

BODY = (
    'A chart ![Flares by week & dose](http://evil.example/p.png "Weekly <flares>") and '
    "![](https://cdn.example/q.png) and ![local](chart.png) and "
    "[![linked](http://evil.example/l.png)](https://example.org/page) [@1].\n\n"
    "## What the research says\n\n"
    "![trial](https://evil.example/t.gif) Moisturisers help [@1].\n\n"
    "## What to ask your doctor\n\n"
    "- ![icon](http://evil.example/i.png) Which one?\n"
)


class _Elements(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)


def test_exported_pages_have_no_image_element_and_keep_the_alt_text(library, qa: QA, tmp_path):
    text = answer_text("eczema", body=BODY)
    build_tree(library, {"answers/oncology/eczema.md": text})

    result = qa("export", "--out", str(tmp_path / "b"), "--format", "html")

    assert result.exit_code == 0, result.output
    raw = (tmp_path / "b/data/html/oncology/eczema.html").read_text(encoding="utf-8")
    page = _Elements()
    page.feed(raw)
    tags = [tag for tag, _attrs in page.elements]
    assert "img" not in tags
    assert "<img" not in raw
    assert not [a for _t, a in page.elements if "src" in a or "srcset" in a]
    links = [(a.get("class"), a.get("href")) for t, a in page.elements if t == "a"]
    for url in (
        "http://evil.example/p.png",
        "https://cdn.example/q.png",
        "https://evil.example/t.gif",
        "http://evil.example/i.png",
    ):
        assert ("image", url) in links
    assert (None, "https://example.org/page") in links
    assert ("image", "http://evil.example/l.png") not in links  # links never nest
    shown = "".join(page.text)
    for alt in ("Flares by week & dose", "image", "linked", "trial", "icon Which one?"):
        assert alt in shown
    assert "![local](chart.png)" in shown  # a relative image stays text, as links do


def test_an_image_renders_as_a_link_with_escaped_alt_and_title():
    html = Renderer().md.render('![a "b" <c>](https://x.example/p.png "T <t>")')

    assert html == (
        '<p><a class="image" href="https://x.example/p.png" title="T &lt;t&gt;">'
        "a &quot;b&quot; &lt;c&gt;</a></p>\n"
    )
