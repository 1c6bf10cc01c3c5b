"""The outcome charts: pure, tested with literals; the SVG parsed as XML."""

import datetime as dt
import xml.etree.ElementTree as ET

import pytest

from consultations import charts
from consultations.charts import PATIENT, Reading, build_chart

SVG = "{http://www.w3.org/2000/svg}"
D = dt.date


def _svg(panel):
    return ET.fromstring(panel.svg)  # noqa: S314 - our own markup, not untrusted input


def _panel(chart, key):
    return next(p for p in chart.panels if p.measure.key == key)


def _polylines(root):
    return root.findall(f".//{SVG}g[@class='series']/{SVG}polyline")


def _points(root):
    return root.findall(f".//{SVG}g[@class='points']/{SVG}circle")


def _course():
    return [
        Reading(D(2026, 10, 1), "Intake", {"peg": 7.0, "phq9": 12, "mme": 60}, baseline=True),
        Reading(D(2026, 10, 12), "Before infusion 1", {"peg": 6.7}),
        Reading(D(2026, 10, 14), "Before infusion 2", {"peg": 6.0}),
        Reading(D(2026, 10, 30), "1-week check-in", {"peg": 3.3, "phq9": 7, "mme": 45}),
    ]


INFUSIONS = [D(2026, 10, 12), D(2026, 10, 14), D(2026, 10, 16)]


def test_each_panel_is_an_svg_image_named_by_its_title_and_description():
    chart = build_chart(_course(), INFUSIONS, id_prefix="p7")
    assert [p.measure.key for p in chart.panels] == ["peg", "phq9", "mme"]
    for panel in chart.panels:
        root = _svg(panel)
        assert root.get("role") == "img"
        key = panel.measure.key
        assert root.get("aria-labelledby") == f"p7-{key}-title p7-{key}-desc"
        assert root.find(f"{SVG}title").get("id") == f"p7-{key}-title"
        assert root.find(f"{SVG}title").text == panel.title
        assert root.find(f"{SVG}desc").text == panel.description
        # No script, ever: the chart is drawn on the server.
        assert root.find(f".//{SVG}script") is None


def test_peg_description_says_where_it_started_and_ended():
    peg = _panel(
        build_chart(_course(), INFUSIONS, status="Responder: PEG 53 % below baseline"), "peg"
    )
    assert peg.description.startswith("Responder: PEG 53 % below baseline.")
    assert "From 7.0 on Oct 1, 2026 (Intake) to 3.3 on Oct 30, 2026 (1-week check-in)" in (
        peg.description
    )
    assert "3 infusions marked" in peg.description


def test_infusions_are_marked_on_every_panel_with_their_dates():
    chart = build_chart(_course(), INFUSIONS)
    for panel in chart.panels:
        marks = _svg(panel).findall(f".//{SVG}g[@class='infusions']/{SVG}line")
        assert [m.find(f"{SVG}title").text for m in marks] == [
            "Infusion 1, Oct 12, 2026",
            "Infusion 2, Oct 14, 2026",
            "Infusion 3, Oct 16, 2026",
        ]
    assert chart.infusion_count == 3


def test_responder_line_is_30_percent_below_the_baseline_peg_on_the_peg_panel_only():
    chart = build_chart(_course(), INFUSIONS)
    assert chart.responder_line == 4.9
    peg = _svg(_panel(chart, "peg"))
    line = peg.find(f".//{SVG}g[@class='threshold']/{SVG}line")
    # PEG 0-10 over the plot height: 4.9 sits at 51 % from the bottom.
    height = charts.HEIGHT - charts.TOP - charts.BOTTOM
    assert float(line.get("y1")) == round(charts.TOP + height * (1 - 4.9 / 10), 1)
    assert "4.9" in peg.find(f".//{SVG}g[@class='threshold']/{SVG}text").text
    assert _svg(_panel(chart, "phq9")).find(f".//{SVG}g[@class='threshold']") is None


def test_no_responder_line_without_a_baseline_or_with_baseline_zero():
    readings = [Reading(D(2026, 10, 1), "Intake", {"peg": 0}, baseline=True)]
    assert build_chart(readings).responder_line is None
    no_baseline = [Reading(D(2026, 10, 1), "Before infusion 1", {"peg": 5})]
    chart = build_chart(no_baseline)
    assert chart.responder_line is None
    assert _svg(chart.panels[0]).find(f".//{SVG}g[@class='threshold']") is None


def test_one_reading_is_a_dot_without_a_line():
    chart = build_chart([Reading(D(2026, 10, 1), "Intake", {"peg": 6.3}, baseline=True)])
    root = _svg(chart.panels[0])
    assert len(_points(root)) == 1
    assert _polylines(root) == []
    # Centred on a one-day axis, not divided by a zero span.
    width = charts.WIDTH - charts.LEFT - charts.RIGHT
    assert float(_points(root)[0].get("cx")) == round(charts.LEFT + width / 2, 1)
    assert "One reading: 6.3 on Oct 1, 2026" in chart.panels[0].description


def test_a_missed_check_in_breaks_the_line_instead_of_joining_across_it():
    readings = [
        Reading(D(2026, 10, 1), "Intake", {"peg": 7.0}, baseline=True),
        Reading(D(2026, 10, 30), "1-week check-in", {"peg": 5.0}),
        Reading(D(2026, 11, 20), "4-week check-in", missed=True),
        Reading(D(2027, 1, 15), "12-week check-in", {"peg": 2.0}),
    ]
    chart = build_chart(readings)
    root = _svg(chart.panels[0])
    lines = _polylines(root)
    assert len(lines) == 1  # intake → week 1; week 12 stands alone after the gap
    assert len(lines[0].get("points").split()) == 2
    assert len(_points(root)) == 3
    assert len(root.findall(f".//{SVG}g[@class='missed']/{SVG}circle")) == 1
    assert chart.missed_count == 1
    assert "1 missed check-in" in chart.panels[0].description
    missed_row = next(row for row in chart.rows if row.missed)
    assert missed_row.cells == ("not answered",)


def test_a_measure_not_asked_at_a_reading_is_skipped_without_a_gap():
    chart = build_chart(_course(), INFUSIONS)
    phq9 = _svg(_panel(chart, "phq9"))
    # Intake and week 1 asked PHQ-9; the pre-infusion check-ins did not: one segment.
    assert len(_polylines(phq9)) == 1
    assert len(_points(phq9)) == 2


def test_value_zero_is_drawn_at_the_bottom_not_dropped():
    readings = [
        Reading(D(2026, 10, 1), "Intake", {"peg": 4.0, "mme": 30}, baseline=True),
        Reading(D(2026, 11, 1), "4-week check-in", {"peg": 0, "mme": 0}),
    ]
    chart = build_chart(readings)
    for panel in chart.panels:
        circles = _points(_svg(panel))
        assert len(circles) == 2
        assert float(circles[1].get("cy")) == charts.HEIGHT - charts.BOTTOM
    assert chart.rows[1].cells == ("0.0", "0")


def test_mme_scale_grows_with_the_data_and_has_round_ticks():
    readings = [
        Reading(D(2026, 10, 1), "Intake", {"mme": 141}, baseline=True),
        Reading(D(2026, 11, 1), "4-week check-in", {"mme": 90}),
    ]
    root = _svg(build_chart(readings).panels[0])
    labels = [t.text for t in root.findall(f".//{SVG}g[@class='y-axis']/{SVG}text")]
    assert labels == ["0", "50", "100", "150"]


def test_a_long_course_keeps_the_date_axis_readable():
    start = D(2026, 1, 5)
    readings = [Reading(start, "Intake", {"peg": 7}, baseline=True)] + [
        Reading(start + dt.timedelta(days=30 * i), f"Monthly check-in {i}", {"peg": 5})
        for i in range(1, 15)
    ]
    infusions = [start + dt.timedelta(days=7 + 2 * i) for i in range(6)]
    root = _svg(build_chart(readings, infusions).panels[0])
    labels = [t.text for t in root.findall(f".//{SVG}g[@class='x-axis']/{SVG}text")]
    assert len(labels) <= charts.MAX_DATE_TICKS
    # Over a year: months with years, so "Jan" is never ambiguous.
    assert labels[0] == "Jan 2026"
    assert labels[-1].endswith("2027")


def test_the_table_has_every_reading_and_every_infusion_in_date_order():
    chart = build_chart(_course(), INFUSIONS)
    assert chart.headings == ("Date", "What", "PEG", "PHQ-9", "MME/day")
    assert [(row.day, row.label) for row in chart.rows] == [
        (D(2026, 10, 1), "Intake"),
        (D(2026, 10, 12), "Before infusion 1"),
        (D(2026, 10, 12), "Infusion 1"),
        (D(2026, 10, 14), "Before infusion 2"),
        (D(2026, 10, 14), "Infusion 2"),
        (D(2026, 10, 16), "Infusion 3"),
        (D(2026, 10, 30), "1-week check-in"),
    ]
    assert chart.rows[0].cells == ("7.0", "12", "60")
    assert chart.rows[1].cells == ("6.7", "—", "—")


def test_patient_words_have_no_jargon():
    chart = build_chart(_course(), INFUSIONS, audience=PATIENT)
    text = " ".join(
        [p.title + " " + p.description + " " + p.svg for p in chart.panels]
        + list(chart.headings)
        + [row.label for row in chart.rows]
    )
    for jargon in ("PEG", "PHQ", "MME", "Responder", "responder", "baseline", "Infusion"):
        assert jargon not in text
    assert chart.panels[0].title.startswith("Your pain and how it affects your life")
    assert "30% below where you started" in chart.panels[0].description


def test_no_readings_no_panels():
    chart = build_chart([], INFUSIONS)
    assert chart.empty
    assert [row.label for row in chart.rows] == ["Infusion 1", "Infusion 2", "Infusion 3"]


def test_labels_are_escaped_in_the_svg():
    readings = [Reading(D(2026, 10, 1), "<Intake & co>", {"peg": 5}, baseline=True)]
    root = _svg(build_chart(readings).panels[0])  # would not parse if unescaped
    assert "<Intake & co>" in root.find(f"{SVG}desc").text


def test_colours_have_enough_contrast_on_white():
    def luminance(hex_colour):
        channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    for colour in (charts.INK, charts.LINE, charts.THRESHOLD, charts.INFUSION, charts.MISSED):
        assert (1.05) / (luminance(colour) + 0.05) >= 4.5, colour


def test_patient_table_lists_her_answers_and_names_her_treatment_dates_in_words():
    chart = build_chart(_course(), INFUSIONS, audience=PATIENT)
    assert not any(row.infusion for row in chart.rows)
    assert "Your treatments: Oct 12, 2026, Oct 14, 2026, Oct 16, 2026." in (
        chart.panels[0].description
    )


@pytest.mark.parametrize("span_days", [3, 9, 21, 30, 45, 90, 200, 400])
def test_date_labels_never_run_into_each_other(span_days):
    first = D(2026, 11, 10)
    readings = [
        Reading(first, "Intake", {"peg": 7}, baseline=True),
        Reading(first + dt.timedelta(days=span_days), "Check-in", {"peg": 4}),
    ]
    root = _svg(build_chart(readings).panels[0])
    texts = root.findall(f".//{SVG}g[@class='x-axis']/{SVG}text")
    assert len({t.text for t in texts}) == len(texts)  # no month named twice
    extents = []
    for text in texts:
        # About 0.6 em a character in the chart's sans-serif at 13 units.
        width, x = len(text.text) * 0.6 * 13, float(text.get("x"))
        anchor = text.get("text-anchor", "middle")
        left = {"start": x, "end": x - width}.get(anchor, x - width / 2)
        extents.append((left, left + width))
    assert all(a[1] + 4 <= b[0] for a, b in zip(extents, extents[1:], strict=False))
