"""In-notebook form that writes a real .pptx, for learners without PowerPoint or Impress.

Up to ``slots`` slides, each a title and short points (one per line), and a box to add a
column chart of the figures given by the task. The button writes the file with python-pptx
(``slides.write_deck``); the check ``slides.pptx`` then judges it like any uploaded deck::

    from grading.learner.checks import slides_form as trinhchieu_form
    trinhchieu_form.slides_form("bao_cao_thang_9.pptx", chart=(
        "Hồ sơ đã giải quyết theo lĩnh vực", ["Hộ tịch", "Chứng thực", "Đất đai"], [60, 70, 42]))
"""
from __future__ import annotations

import html
from pathlib import Path

import ipywidgets as w


def slides_form(target: str, *, chart: tuple[str, list[str], list[float]] | None = None,
                slots: int = 6) -> w.VBox:
    from grading.learner.checks.slides import write_deck

    titles = [w.Text(placeholder="Tiêu đề trang", description=f"Trang {i + 1}",
                     layout=w.Layout(width="40em")) for i in range(slots)]
    points = [w.Textarea(placeholder="Mỗi dòng một ý ngắn (tối đa 3 ý)",
                         layout=w.Layout(width="40em", height="5em")) for _ in range(slots)]
    add_chart = w.Checkbox(value=False, indent=False,
                           description=f"Thêm một trang biểu đồ cột: {chart[0]}" if chart
                           else "Thêm trang biểu đồ", disabled=chart is None)
    button = w.Button(description=f"Tạo tệp {target}", icon="file", layout=w.Layout(width="auto"))
    status = w.HTML()

    def on_save(_button):
        deck = [(t.value.strip(), p.value.splitlines()) for t, p in zip(titles, points)
                if t.value.strip() or p.value.strip()]
        if not deck:
            status.value = html.escape("⚠ Chưa có trang nào: hãy ghi tiêu đề và nội dung.")
            return
        write_deck(Path(target), deck, chart=chart if add_chart.value else None)
        status.value = html.escape(f"✔ Đã tạo tệp {target} với "
                                   f"{len(deck) + bool(add_chart.value)} trang chiếu.")

    button.on_click(on_save)
    rows = [w.VBox([t, p]) for t, p in zip(titles, points)]
    return w.VBox([*rows, add_chart, button, status])
