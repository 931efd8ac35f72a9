"""Chart geometry: every point inside the drawing, axes that fit the data."""

import pytest

from hub.progress import charts

WEEKS = [f"2026-{m:02d}-01" for m in range(1, 13)]


@pytest.mark.parametrize(
    "values, options, top_label",
    [
        ([0] * 11 + [17], {}, "20"),
        ([3, 4, None, 6, 6, 6, 6, 6, 7, 8, 9, 9], {}, "10"),
        ([None] * 11 + [99.5], {"top": 100}, "100"),
        ([0.1, 0.5, 1.0] + [None] * 9, {"rate": True}, "100%"),
        ([1234567] * 12, {}, "2,000,000"),
        ([None] * 12, {}, "1"),
    ],
)
def test_points_stay_inside_the_plot(values, options, top_label):
    chart = charts.line_chart(WEEKS, [("series", values)], **options)
    assert chart["ticks"][-1]["label"] == top_label
    for x, y in chart["lines"][0]["dots"]:
        assert chart["left"] <= x <= chart["right"]
        assert 0 <= y <= chart["bottom"]
    assert len(chart["lines"][0]["dots"]) == sum(v is not None for v in values)
    assert chart["empty"] == all(v is None for v in values)


def test_ranking_bars_scale_with_score():
    chart = charts.ranking([("a", 100), ("b", 50), ("c", None)])
    widths = [bar["width"] for bar in chart["bars"]]
    assert widths[0] == 2 * widths[1] and widths[2] == 0
    assert charts.percent(1.7) == 100 and charts.percent(None) == 0 and charts.percent(0.123) == 12.3
