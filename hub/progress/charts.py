"""Chart geometry for the dashboard's server-side SVG (no JavaScript, works offline).

Each function returns plain numbers and strings the templates put into
``<svg>`` elements; nothing is fetched from anywhere.
"""

PALETTE = ["#1f6fb2", "#d9822b", "#2e9e5b", "#b8323c", "#7a52a3", "#5f6b7a"]


def percent(value):
    """A rate (0–1, or None) as a width percentage for a progress bar, capped at 100."""
    if value is None:
        return 0
    return round(max(0.0, min(1.0, float(value))) * 100, 1)


def _nice_max(value):
    if value <= 0:
        return 1
    magnitude = 10 ** (len(str(int(value))) - 1)
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * magnitude:
            return step * magnitude
    return 10 * magnitude


def line_chart(labels, series, width=560, height=200, rate=False, top=None):
    """A weekly trend chart: ``series`` is ``[(name, [value or None, ...]), ...]`` over ``labels``.

    ``rate`` draws 0–100 %; ``top`` fixes the axis maximum (e.g. 100 for scores).
    """
    left, right, margin_top, bottom = 48, 12, 12, 28
    plot_w, plot_h = width - left - right, height - margin_top - bottom
    values = [v for _name, points in series for v in points if v is not None]
    top_value = 1.0 if rate else (top or _nice_max(max(values, default=0)))
    step = plot_w / max(1, len(labels) - 1)

    def y_of(value):
        return round(margin_top + plot_h - (value / top_value) * plot_h, 1)

    lines = []
    for index, (name, points) in enumerate(series):
        coords = [(round(left + i * step, 1), y_of(v)) for i, v in enumerate(points) if v is not None]
        lines.append(
            {
                "name": name,
                "colour": PALETTE[index % len(PALETTE)],
                "points": " ".join(f"{x},{y}" for x, y in coords),
                "dots": coords,
            }
        )
    ticks = []
    for fraction in (0, 0.25, 0.5, 0.75, 1):
        value = top_value * fraction
        label = (
            f"{value * 100:.0f}%"
            if rate
            else (f"{value:,.0f}" if value >= 10 or value == 0 else f"{value:g}")
        )
        ticks.append({"y": y_of(value), "label": label})
    x_labels = [
        {"x": round(left + i * step, 1), "label": label[5:]}
        for i, label in enumerate(labels)
        if i % max(1, len(labels) // 6) == 0 or i == len(labels) - 1
    ]
    return {
        "width": width,
        "height": height,
        "left": left,
        "right": width - right,
        "bottom": margin_top + plot_h,
        "lines": lines,
        "ticks": ticks,
        "x_labels": x_labels,
        "empty": not values,
    }


def ranking(rows, width=560, bar_height=22):
    """Horizontal bars of ``rows`` = ``[(label, score 0–100 or None)]``, best first."""
    label_w, gap = 180, 6
    plot_w = width - label_w - 56
    bars = []
    for index, (label, score) in enumerate(rows):
        y = index * (bar_height + gap)
        bars.append(
            {
                "label": label,
                "score": score,
                "y": y,
                "text_y": y + bar_height * 0.7,
                "width": round(plot_w * (score or 0) / 100, 1),
                "colour": PALETTE[0] if index > 2 else PALETTE[2],
            }
        )
    return {
        "width": width,
        "height": max(1, len(rows)) * (bar_height + gap),
        "label_w": label_w,
        "bar_height": bar_height,
        "value_x": label_w + plot_w + 6,
        "bars": bars,
    }
