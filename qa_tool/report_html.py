"""The report as one self-contained HTML page: charts (pygal SVG, inline) with their numbers.

Nothing on the page is fetched: styles and charts are inline, there is no
script, font or image file, so it opens offline, can be mailed as one file and
prints on A4. Each chart has a table of its numbers beside it. The colours are
Okabe and Ito's colour-blind-safe set, chosen in order of lightness so that
stacked segments stay apart in greyscale (each segment also has a white edge).
The page is well-formed XML (XHTML served as HTML), so any parser can read it.
"""

from __future__ import annotations

import re
from html import escape
from typing import Any

from qa_tool.model import Status

# Okabe-Ito colours by grey level: black 0, blue #0072B2 87, vermillion #D55E00 119, orange
# #E69F00 162, yellow #F0E442 213. Bands that stack or sit side by side differ by 40 or more.
SERIES_COLOURS = ("#000000", "#0072B2", "#E69F00", "#F0E442")
KIND_COLOURS = {
    "never-reviewed": "#000000",
    "overdue": "#D55E00",
    "changed-since-review": "#E69F00",
    "due-soon": "#F0E442",
}
KIND_LABELS = {
    "never-reviewed": "Never reviewed",
    "overdue": "Overdue",
    "changed-since-review": "Changed since review",
    "due-soon": "Due within the window",
}
STATUS_COLOURS = {
    Status.draft: "#F0E442",
    Status.in_review: "#E69F00",
    Status.published: "#0072B2",
    Status.retired: "#000000",
}
REVIEWERS_LISTED = 25
TOP_TOPICS = 3
"""Topics drawn on their own in the 12-month chart; the rest are one "Other topics" band."""
CHART_COUNT = 6

_CSS = """
@page { size: A4; margin: 14mm 12mm; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial,
  sans-serif; color: #111; margin: 0 auto; max-width: 1180px; padding: 24px; background: #fff; }
h1 { font-size: 26px; margin: 0 0 4px; }
h2 { font-size: 19px; margin: 34px 0 6px; padding-top: 10px; border-top: 2px solid #111; }
h3 { font-size: 15px; margin: 18px 0 6px; }
p.lead { margin: 0 0 14px; color: #333; }
.cards { display: flex; flex-wrap: wrap; gap: 10px; margin: 14px 0 6px; padding: 0; }
.cards li { list-style: none; border: 1px solid #999; border-radius: 4px; padding: 8px 14px;
  min-width: 140px; }
.cards b { display: block; font-size: 24px; }
.pair { display: grid; grid-template-columns: minmax(0, 3fr) minmax(0, 2fr); gap: 18px;
  align-items: start; }
.pair.wide { grid-template-columns: minmax(0, 1fr); }
figure { margin: 0; }
figure svg { width: 100%; height: auto; display: block; }
figcaption { font-size: 12px; color: #333; margin-top: 2px; }
table { border-collapse: collapse; width: 100%; font-size: 12.5px; }
caption { text-align: left; font-weight: 600; padding-bottom: 4px; }
th, td { border-bottom: 1px solid #ccc; padding: 3px 6px; text-align: right;
  vertical-align: top; white-space: nowrap; }
td.text, th.text, tbody th { white-space: normal; }
.pair + table, .pair + .pair { margin-top: 18px; }
th:first-child, td:first-child { text-align: left; }
td.text { text-align: left; }
thead th { white-space: normal; }
thead th { border-bottom: 2px solid #111; }
tfoot td { border-top: 2px solid #111; font-weight: 600; }
.scroll { overflow-x: auto; }
.swatch { display: inline-block; width: 0.9em; height: 0.9em; border: 1px solid #111;
  vertical-align: -0.1em; margin-right: 4px; }
.muted { color: #444; font-size: 12.5px; }
a { color: #0b4f8a; }
@media print {
  body { padding: 0; max-width: none; font-size: 11px; }
  h2 { break-after: avoid; }
  .pair, table, figure { break-inside: avoid; }
  .pair { grid-template-columns: minmax(0, 1fr); gap: 6px; }
  figure svg { max-width: 165mm; margin: 0 auto; }
  .scroll { overflow: visible; }
  .scroll table { font-size: 8.5px; }
  .scroll th, .scroll td { padding: 2px 3px; }
  a { color: #111; text-decoration: none; }
}
@media screen and (max-width: 800px) { .pair { grid-template-columns: minmax(0, 1fr); } }
"""
_CHART_CSS = (
    "inline:QA_ID  .bar rect, QA_ID  rect.rect {stroke: #ffffff; stroke-width: 1.5px}"
    " QA_ID  .axis text, QA_ID  .legends text {fill: #111111}"
    " QA_ID  .title {font-weight: bold}"
)


def _esc(value: object) -> str:
    return escape("" if value is None else str(value), quote=True)


def _style(colours: tuple[str, ...]):
    from pygal.style import Style

    return Style(
        background="#ffffff",
        plot_background="#ffffff",
        foreground="#111111",
        foreground_strong="#111111",
        foreground_subtle="#bbbbbb",
        opacity="1",
        opacity_hover="1",
        colors=colours,
        font_family="system-ui, Helvetica, Arial, sans-serif",
        label_font_size=13,
        major_label_font_size=13,
        legend_font_size=13,
        title_font_size=16,
        value_font_size=12,
    )


def _chart(kind: str, colours: tuple[str, ...], **options: Any):
    import pygal

    factory = getattr(pygal, kind)
    return factory(
        style=_style(colours),
        js=[],  # no script: pygal's tooltips would be fetched from the web
        disable_xml_declaration=True,
        css=["file://style.css", "file://graph.css", _CHART_CSS],
        width=options.pop("width", 760),
        height=options.pop("height", 380),
        legend_at_bottom=True,
        legend_at_bottom_columns=options.pop("legend_columns", 4),
        truncate_legend=-1,
        truncate_label=-1,
        print_values=False,
        show_y_guides=True,
        margin=12,
        **options,
    )


_COMMENT = re.compile(r"<!--.*?-->", re.S)
_SCRIPT = re.compile(r"<script\b.*?</script>", re.S)


def _svg(chart: Any, number: int) -> str:
    """The chart's SVG: comments dropped, its random id replaced, so the page is reproducible."""
    svg = chart.render(is_unicode=True)
    svg = _SCRIPT.sub("", _COMMENT.sub("", svg))  # pygal's config script: no use without JS
    found = re.search(r'id="(chart-[0-9a-f-]+)"', svg)
    if found:
        svg = svg.replace(found.group(1), f"qa-chart-{number}")
    svg = svg.replace("QA_ID ", f"#qa-chart-{number} ")
    svg_tag = '<svg xmlns="http://www.w3.org/2000/svg"'
    return svg.replace(svg_tag, f'{svg_tag} role="img"', 1)


def _answer_cell(entry: dict[str, Any]) -> str:
    title = _esc(entry.get("title") or entry.get("id") or entry["path"])
    if entry.get("href"):
        return f'<a href="{_esc(entry["href"])}">{title}</a>'
    return f'{title}<br/><span class="muted">{_esc(entry["path"])}</span>'


def _table(
    caption: str,
    head: list[str],
    rows: list[list[Any]],
    foot: list[Any] | None = None,
    raw_first: bool = False,
    text_columns: tuple[int, ...] = (),
) -> str:
    parts = [f"<table><caption>{_esc(caption)}</caption><thead><tr>"]
    parts += [f'<th scope="col">{_esc(h)}</th>' for h in head]
    parts.append("</tr></thead><tbody>")
    for row in rows:
        cells = []
        for n, value in enumerate(row):
            text = str(value) if (n == 0 and raw_first) else _esc(value)
            kind = ' class="text"' if n in text_columns else ""
            cells.append(
                f'<th scope="row"{kind}>{text}</th>' if n == 0 else f"<td{kind}>{text}</td>"
            )
        parts.append("<tr>" + "".join(cells) + "</tr>")
    parts.append("</tbody>")
    if foot is not None:
        parts.append("<tfoot><tr>" + "".join(f"<td>{_esc(v)}</td>" for v in foot) + "</tr></tfoot>")
    parts.append("</table>")
    return "".join(parts)


def _swatch(colour: str, label: str) -> str:
    return f'<span class="swatch" style="background:{colour}"></span>{_esc(label)}'


class _Figures:
    """Numbers the charts of a page in order (their SVG ids) and counts them."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, chart: Any, caption: str) -> str:
        self.count += 1
        svg = _svg(chart, self.count)
        return f"<figure>{svg}<figcaption>{_esc(caption)}</figcaption></figure>"


def _backlog_section(data: dict[str, Any], figure: _Figures) -> str:
    """The review backlog: the stacked bar by topic, its table, the oldest overdue."""
    backlog = data["backlog"]
    kinds = backlog["kinds"]
    topics_in_backlog = [t for t in data["topics"] if any(backlog["by_topic"].get(t, {}).values())]
    shown = topics_in_backlog or data["topics"]
    chart = _chart(
        "HorizontalStackedBar",
        tuple(KIND_COLOURS[k] for k in kinds),
        title="Review backlog by topic",
        x_title="Answers",
        y_title="Topic",
        legend_columns=2,
        height=max(300, 80 + 34 * len(shown)),
    )
    chart.x_labels = shown[::-1]  # drawn bottom up: reversed, the first topic is on top
    for k in kinds:
        chart.add(KIND_LABELS[k], [backlog["by_topic"].get(t, {}).get(k, 0) for t in shown[::-1]])
    backlog_rows = [
        [
            t,
            *[backlog["by_topic"].get(t, {}).get(k, 0) for k in kinds],
            sum(backlog["by_topic"].get(t, {}).values()),
        ]
        for t in shown
    ]
    totals = backlog["totals"]
    backlog_table = _table(
        "Answers by topic, each under its first reason",
        ["Topic", *[KIND_LABELS[k] for k in kinds], "Total"],
        backlog_rows,
        ["Total", *[totals[k] for k in kinds], sum(totals.values())],
    )
    oldest = backlog["oldest_overdue"]
    oldest_table = (
        _table(
            "Oldest overdue answers",
            ["Answer", "Topic", "Due", "Days overdue", "Reviewers"],
            [
                [
                    _answer_cell(e),
                    e["topic"] or "",
                    e["due_date"] or "",
                    e["days_overdue"],
                    ", ".join(e["reviewers"]),
                ]
                for e in oldest
            ],
            raw_first=True,
            text_columns=(0, 1, 4),
        )
        if oldest
        else '<p class="muted">No answer is overdue.</p>'
    )
    backlog_html = (
        f'<div class="pair"><div>{figure(chart, "Bars add up to the answers due in each topic.")}'
        f"</div><div>{backlog_table}</div></div>{oldest_table}"
    )
    return backlog_html


def _due_section(data: dict[str, Any], figure: _Figures) -> str:
    """What falls due over the next 12 months, by month and topic."""
    due = data["due_by_month"]
    months = due["months"]
    ranked = sorted(due["by_topic"].items(), key=lambda kv: (-sum(kv[1]), kv[0]))
    top = [(t, counts) for t, counts in ranked[:TOP_TOPICS] if sum(counts)]
    rest = [counts for t, counts in ranked[len(top) :]]
    series = list(top)
    if rest and any(sum(c) for c in rest):
        series.append(("Other topics", [sum(c[n] for c in rest) for n in range(len(months))]))
    chart = _chart(
        "StackedBar",
        SERIES_COLOURS[: max(1, len(series))],
        title="Falling due over the next 12 months",
        x_title="Month",
        y_title="Answers falling due",
        legend_columns=5,
        width=1100,
        height=420,
    )
    chart.x_labels = [_month_label(m) for m in months]
    for name, counts in series:
        chart.add(name, counts)
    due_rows = [[t, *counts, sum(counts)] for t, counts in ranked if sum(counts)]
    due_table = _table(
        "Answers falling due, by month and topic",
        ["Topic", *[_month_label(m) for m in months], "Total"],
        due_rows,
        ["Total", *due["totals"], sum(due["totals"])],
    )
    caption = "After the as-of date, by the month each falls due."
    due_html = (
        f'<div class="pair wide"><div>{figure(chart, caption)}'
        f'</div><div class="scroll">{due_table}</div></div>'
    )
    return due_html


def _reviewer_section(data: dict[str, Any], figure: _Figures) -> str:
    """Reviews recorded and what is due, per reviewer."""
    reviewers = data["reviewers"]
    drawn = reviewers[:12]
    chart = _chart(
        "HorizontalBar",
        ("#000000", "#D55E00", "#F0E442"),
        title="Reviewer workload",
        x_title="Answers",
        y_title="Reviewer",
        height=max(300, 110 + 40 * len(drawn)),
        legend_columns=1,
    )
    drawn = drawn[::-1]  # drawn bottom up: reversed, the busiest reviewer is on top
    chart.x_labels = [r["name"] for r in drawn]
    chart.add("Reviews in the last 12 months", [r["reviews_last_12_months"] for r in drawn])
    chart.add("Due now", [r["due_now"] for r in drawn])
    chart.add("Due within the window", [r["due_within_window"] for r in drawn])
    reviewer_table = _table(
        "Reviews and what is due, per reviewer",
        [
            "Reviewer",
            "Reviews, last 12 months",
            "Due now",
            "Due within the window",
            "Due, next 12 months",
        ],
        [
            [
                r["name"],
                r["reviews_last_12_months"],
                r["due_now"],
                r["due_within_window"],
                r["due_next_12_months"],
            ]
            for r in reviewers[:REVIEWERS_LISTED]
        ],
    )
    more = len(reviewers) - REVIEWERS_LISTED
    if more > 0:
        reviewer_table += (
            f'<p class="muted">and {more} more reviewer{"s" if more != 1 else ""}, '
            "each with less due (all are in the JSON report).</p>"
        )
    caption = "The 12 reviewers with most due; the table lists more."
    reviewer_html = (
        f'<div class="pair"><div>{figure(chart, caption)}</div>'
        f'<div class="scroll">{reviewer_table}</div></div>'
    )
    return reviewer_html


def _or_dash(value: Any) -> Any:
    return "-" if value is None else value


def _retraction_rows(r: dict[str, Any]) -> list[list[Any]]:
    """The retraction screening rows of the evidence table; what is unknown says why."""
    unchecked = ["References without a DOI or PMID (cannot be checked)", r["references_unchecked"]]
    if not r["configured"]:
        why = "no retractions file configured ([references] retractions in qa.toml)"
        return [["References checked against retractions", why], unchecked]
    if r["error"]:
        return [["References checked against retractions", f"not checked: {r['error']}"], unchecked]
    return [
        [f"References checked against retractions ({r['file']})", r["references_checked"]],
        unchecked,
        ["References to retracted papers", r["retracted"]],
        ["References with an expression of concern", r["expression_of_concern"]],
        ["References with a correction", r["correction"]],
        ["References with another notice", r["other_notices"]],
        ["Notices acknowledged by a reviewer", r["acknowledged"]],
        ["Answers citing a retracted paper (not acknowledged)", r["answers_citing_retracted"]],
    ]


def _evidence_section(data: dict[str, Any], figure: _Figures) -> str:
    """Reference stubs, doubts, retractions and the reading grades."""
    evidence = data["evidence"]
    reading = evidence["reading"]
    target = reading["target"]
    chart = _chart(
        "Bar",
        ("#0072B2",),
        title=f"Reading grade ({reading['formula'].upper()}) against the target {target:g}",
        x_title="Reading grade",
        y_title="Answers",
        show_legend=False,
    )
    chart.x_labels = [b["label"] for b in reading["bins"]]
    chart.add(
        "Answers",
        [
            {
                "value": b["count"],
                "color": "#D55E00" if b["from"] is not None and b["from"] >= target else "#0072B2",
            }
            for b in reading["bins"]
        ],
    )
    grade_table = _table(
        "Answers by reading grade",
        ["Grade", "Answers"],
        [[b["label"], b["count"]] for b in reading["bins"]],
        ["Total", reading["measured"]],
    )
    retraction_rows = _retraction_rows(evidence["retractions"])
    health_table = _table(
        "Evidence health",
        ["Measure", "Count"],
        [
            ["Answers with reference stubs", evidence["answers_with_stub_references"]],
            ["Reference stubs", evidence["stub_references"]],
            ["Answers with open conversion doubts", evidence["answers_with_open_doubts"]],
            ["Open conversion doubts", evidence["open_doubts"]],
            *retraction_rows,
            [f"Answers above the target grade {target:g}", reading["above_target"]],
            ["Above the target, accepted by a reviewer", reading["accepted"]],
            ["Too short to grade", reading["too_short"]],
            ["Median grade", "-" if reading["median"] is None else f"{reading['median']:.1f}"],
        ],
    )
    hardest = reading["hardest"]
    hardest_table = (
        _table(
            "Hardest to read (above target, not accepted)",
            ["Answer", "Grade"],
            [[_answer_cell(e), f"{e['grade']:.1f}"] for e in hardest],
            raw_first=True,
            text_columns=(0,),
        )
        if hardest
        else ""
    )
    legend = (
        f'<p class="muted">{_swatch("#0072B2", "below the target")} '
        f"{_swatch('#D55E00', 'at or above the target')}</p>"
    )
    caption = "Answers by reading grade (retired ones left out)."
    evidence_html = (
        f'<div class="pair"><div>{figure(chart, caption)}'
        f"{legend}</div><div>{health_table}{grade_table}</div></div>{hardest_table}"
    )
    return evidence_html


def _coverage_section(data: dict[str, Any], figure: _Figures) -> str:
    """Answers per topic and status, and the confidence mix."""
    coverage = data["coverage"]
    statuses = coverage["statuses"]
    covered = [t for t in data["topics"] if any(coverage["by_topic"].get(t, {}).values())]
    covered = covered or data["topics"]
    chart = _chart(
        "HorizontalStackedBar",
        tuple(STATUS_COLOURS[s] for s in statuses),
        title="Answers per topic and status",
        x_title="Answers",
        y_title="Topic",
        height=max(300, 80 + 34 * len(covered)),
    )
    chart.x_labels = covered[::-1]
    for s in statuses:
        chart.add(s, [coverage["by_topic"].get(t, {}).get(s, 0) for t in covered[::-1]])
    status_table = _table(
        "Answers per topic and status",
        ["Topic", *statuses, "Total"],
        [
            [
                t,
                *[coverage["by_topic"][t][s] for s in statuses],
                sum(coverage["by_topic"][t].values()),
            ]
            for t in covered
        ],
        [
            "Total",
            *[sum(coverage["by_topic"][t][s] for t in covered) for s in statuses],
            sum(sum(coverage["by_topic"][t].values()) for t in covered),
        ],
    )
    confidence = coverage["confidence"]
    conf_chart = _chart(
        "Bar",
        ("#0072B2",),
        title="Confidence in the evidence (GRADE)",
        x_title="Confidence level",
        y_title="Answers",
        show_legend=False,
        height=320,
    )
    conf_chart.x_labels = list(confidence)
    conf_chart.add("Answers", list(confidence.values()))
    conf_table = _table(
        "Answers by confidence level (retired ones left out)",
        ["Confidence", "Answers"],
        [[k, v] for k, v in confidence.items()],
        ["Total", sum(confidence.values())],
    )
    coverage_html = (
        f'<div class="pair"><div>{figure(chart, "All answers, drafts and retired ones included.")}'
        f"</div><div>{status_table}</div></div>"
        f'<div class="pair"><div>{figure(conf_chart, "Answers not retired.")}</div>'
        f"<div>{conf_table}</div></div>"
    )
    return coverage_html


def render_html(data: dict[str, Any], title: str = "Library report") -> str:
    """The report page for :func:`qa_tool.report.build_report`'s data."""
    figure = _Figures()
    sections = [
        ("Review backlog", _backlog_section(data, figure)),
        ("Due over the next 12 months", _due_section(data, figure)),
        ("Reviewer workload", _reviewer_section(data, figure)),
        ("Evidence health", _evidence_section(data, figure)),
        ("Coverage", _coverage_section(data, figure)),
    ]
    assert figure.count == CHART_COUNT
    body = "".join(f"<h2>{_esc(name)}</h2>{html}" for name, html in sections)
    backlog, evidence = data["backlog"], data["evidence"]
    totals, reading = backlog["totals"], evidence["reading"]
    target = reading["target"]
    scope = ", ".join(data["topics"]) if data["topics"] else "no topics"
    cards = [
        ("Answers", data["answers"]),
        ("Due now", totals["never-reviewed"] + totals["overdue"] + totals["changed-since-review"]),
        (
            "Overdue",
            sum(backlog["reasons_by_topic"][t]["overdue"] for t in backlog["reasons_by_topic"]),
        ),
        (f"Due within {data['within']}", totals["due-soon"]),
        (f"Above grade {target:g}", reading["above_target"]),
        ("Open conversion doubts", evidence["open_doubts"]),
        (
            "Answers citing retracted papers",
            _or_dash(evidence["retractions"]["answers_citing_retracted"]),
        ),
    ]
    notes = "".join(f"<li>{_esc(n)}</li>" for n in data["notes"][:20])
    unreadable = "".join(
        f"<li>{_esc(u['path'])}: {_esc(u['message'])}</li>" for u in data["unreadable"][:20]
    )
    extra = ""
    if notes or unreadable:
        extra = f'<h2>Notes</h2><ul class="muted">{unreadable}{notes}</ul>'
    return (
        "<!DOCTYPE html>\n"
        '<html xmlns="http://www.w3.org/1999/xhtml" lang="en"><head><meta charset="utf-8"/>'
        '<meta name="viewport" content="width=device-width, initial-scale=1"/>'
        f"<title>{_esc(title)} as of {_esc(data['as_of'])}</title>"
        f"<style>{_CSS}</style></head><body>"
        f"<h1>{_esc(title)}</h1>"
        f'<p class="lead">As of {_esc(data["as_of"])}; topics: {_esc(scope)}; '
        f"window for “due soon”: {_esc(data['within'])}.</p>"
        '<ul class="cards">'
        + "".join(f"<li><b>{_esc(v)}</b>{_esc(k)}</li>" for k, v in cards)
        + "</ul>"
        f"{body}"
        f"{extra}</body></html>\n"
    )


def _month_label(month: str) -> str:
    """``2026-12`` -> ``Dec 2026``."""
    import calendar

    year, number = month.split("-")
    return f"{calendar.month_abbr[int(number)]} {year}"
