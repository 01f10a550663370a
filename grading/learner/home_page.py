"""The learner's home page itself: a card per module (open, submit, see the result) and the
page that lists them (run by Voila from ``trang_chu.ipynb``; the data and exchange steps are
in ``home``)."""
from __future__ import annotations

import html
from pathlib import Path

from grading.learner import home as H


def _card(home: Path, profile: dict, module: dict, cache: Path):
    import ipywidgets as W

    mid = H.assignment_of(module)
    state = H.status_of(home, module, cache, profile["course_id"], profile["learner"])
    head = W.HTML()
    links = W.HTML()
    note = W.HTML()
    result = W.HTML()

    def draw(current: str) -> None:
        badge = (f'<span class="cv-badge" style="background:{H.COLORS[current]}">'
                 f'{H.LABELS[current]}</span>')
        head.value = (f"<h3>{html.escape(module['title'])} {badge}</h3>"
                      f"<div>Thời lượng: {module['minutes'] or '—'} phút · Hạn hoàn thành: "
                      f"{H.deadline_text(module['deadline'])} · Cần đạt {module['pass_mark']:g} %"
                      + (f" · <b>Làm lại: lần {module['attempt']}</b> (đề mới)"
                         if module.get("attempt", 1) > 1 else "") + "</div>")
        parts = [f'<a class="cv-open" href="{html.escape(path)}" target="_blank">'
                 f"Bài học {i + 1}</a>" for i, path in enumerate(module["lessons"])]
        if (home / mid).is_dir():
            parts += [f'<a class="cv-open" href="{html.escape(mid)}/{html.escape(nb)}" '
                      f'target="_blank">Làm bài kiểm tra</a>' for nb in module["notebooks"]]
        links.value = "".join(parts)

    def on_start(_):
        H.fetch(home, mid)
        start.layout.display = "none"
        draw(H.status_of(home, module, cache, profile["course_id"], profile["learner"]))
        note.value = "Bài kiểm tra đã sẵn sàng: bấm «Làm bài kiểm tra»."

    def on_submit(_):
        done, note.value = H.submit_note(home, mid)
        if done:
            draw(H.SUBMITTED)

    def on_result(_):
        pages = H.fetch_feedback(home, mid)
        if not pages:
            result.value = "Chưa có kết quả: giảng viên chưa chấm xong bài này."
            return
        draw(H.status_of(home, module, cache, profile["course_id"], profile["learner"]))
        page = pages[-1].read_text(encoding="utf-8", errors="replace")
        result.value = (f'<iframe title="Kết quả {html.escape(module["title"])}" '
                        f'srcdoc="{html.escape(page)}" style="width:100%;height:70vh;'
                        'border:1px solid #ccc"></iframe>')

    wide = W.Layout(width="auto")
    start = W.Button(description="Nhận bài kiểm tra", icon="download", layout=wide)
    send = W.Button(description="Nộp bài", icon="paper-plane", button_style="primary",
                    layout=wide)
    show = W.Button(description="Xem kết quả", icon="check-square", layout=wide)
    start.on_click(on_start)
    send.on_click(on_submit)
    show.on_click(on_result)
    draw(state)
    buttons = [start] if not (home / mid).is_dir() else []
    box = W.VBox([head, links, W.HBox(buttons + [send, show],
                                      layout=W.Layout(flex_flow="row wrap")), note, result])
    box.add_class("cv-card")
    return box


def app(home: str | Path | None = None):
    """The learner's home page (run by Voila from ``trang_chu.ipynb`` in the learner's home)."""
    import os

    import ipywidgets as W

    home = Path(home or os.getcwd())
    profile = H.load_profile(home)
    cache = Path(H.exchange_config(home).Exchange.cache)
    who = html.escape(profile["name"])
    place = " · ".join(html.escape(x) for x in (profile["position"], profile["ward"]) if x)
    head = W.HTML(f"{H.CSS}<h2>Xin chào {who}</h2><p>{place}</p>"
                  f"<p>{html.escape(profile['course'])}</p>")
    required = [m for m in profile["modules"] if m["required"]]
    optional = [m for m in profile["modules"] if not m["required"]]
    parts = [head, W.HTML("<h2>Học phần bắt buộc</h2>")]
    parts += [_card(home, profile, m, cache) for m in required]
    if optional:
        parts += [W.HTML("<h2>Học phần tự chọn</h2>")]
        parts += [_card(home, profile, m, cache) for m in optional]
    box = W.VBox(parts)
    box.add_class("cv-home")
    return box
