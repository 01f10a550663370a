"""The autograded notebook made safe to render: every kind of learner payload is neutralised,
trainer content and the learner's visible text stay. (Run in browsers: tests/report/
test_browser_grading.py; here the notebook itself, no kernel.)"""
import copy

import nbformat
from conftest import ATTACK_CELLS, LIVE_MARKUP
from nbconvert import HTMLExporter

from grading.engine.htmlsafe import REMOVED, is_literal, literal_markdown, sanitize_notebook

TRUSTED = "# Bài kiểm tra\n\n<b>Đọc kỹ</b> trước khi làm."
RUNS = LIVE_MARKUP


def _notebook():
    nb = nbformat.v4.new_notebook()
    nb.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {"state": {}}}
    nb.cells = [nbformat.v4.new_markdown_cell(TRUSTED),
                *[nbformat.from_dict({**c, "id": f"a{i}"}) for i, c in enumerate(ATTACK_CELLS)]]
    code = nb.cells[2]
    code.outputs = [nbformat.from_dict(o) for o in [
        {"output_type": "display_data", "metadata": {"text/html": {"isolated": True}},
         "data": {"text/html": '<img src=x onerror="alert(1)"><b>in đậm</b>',
                  "text/plain": "<HTML>"}},
        {"output_type": "display_data", "metadata": {},
         "data": {"application/javascript": "alert(2)"}},
        {"output_type": "display_data", "metadata": {},
         "data": {"image/svg+xml": "<svg><script>alert(3)</script></svg>",
                  "image/png": 'AAAA"><script>alert(4)</script>', "text/plain": "<SVG>"}},
        {"output_type": "execute_result", "execution_count": "<b>", "metadata": {},
         "data": {"text/markdown": "[x](javascript:alert(5)) **đậm**"}},
        {"output_type": "stream", "name": "stdout", "text": "<script>alert(6)</script>"},
    ]]
    code.metadata["tags"] = ['x" onmouseover="alert(7)', "ok-tag"]
    return nb


def _body(nb) -> str:
    return HTMLExporter(template_name="classic").from_notebook_node(nb)[0].split("<body", 1)[1]


def test_every_payload_is_neutralised_and_the_visible_text_stays():
    nb = _notebook()
    control = copy.deepcopy(nb)
    control.cells[2].outputs[3].execution_count = 1  # nbconvert refuses the string outright
    assert RUNS.search(_body(control))  # unsanitised, the payloads are live markup
    assert sanitize_notebook(nb, {TRUSTED}) > 0
    trusted, learner_md, code = nb.cells
    assert trusted.source == TRUSTED  # the trainer's locked cell is untouched
    assert learner_md.source == literal_markdown(ATTACK_CELLS[0]["source"])
    assert learner_md.attachments == {}  # SVG attachment dropped
    assert code.metadata["tags"] == ["ok-tag"]
    html_out, js, svg, md, stream = code.outputs
    assert "<b>in đậm</b>" in html_out.data["text/html"] and html_out.metadata == {}
    assert js.data == {"text/plain": REMOVED}
    assert set(svg.data) == {"text/plain"}  # bad base64 dropped with the SVG
    assert md.execution_count is None and "<strong>đậm</strong>" in md.data["text/html"]
    assert stream.text == "<script>alert(6)</script>"  # rendered escaped by every template
    assert "widgets" not in nb.metadata
    nbformat.validate(nb)
    body = _body(nb)
    assert not RUNS.search(body), RUNS.findall(body)
    assert "Ghi chú &lt;img src=x onerror=" in body  # the learner's own text, shown as text
    assert "in đậm" in body and "Đọc kỹ" in body


def test_markdown_that_tries_to_close_the_block_stays_inside():
    src = "</pre><script>alert(1)</script>\n\n</PRE >\n\n<textarea></textarea><img src=x onerror=y>"
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(src, id="x")])
    sanitize_notebook(nb, set())
    page = _body(nb)
    assert not RUNS.search(page)
    assert page.count('<pre class="congvu-learner-text"') == 1


def test_sanitising_twice_changes_nothing_and_a_fake_literal_block_cannot_hide_markup():
    nb = _notebook()
    sanitize_notebook(nb, {TRUSTED})
    once = copy.deepcopy(nb)
    assert sanitize_notebook(nb, {TRUSTED}) == 0 and nb == once  # congvu migrate reruns it
    fake = literal_markdown("x")[:-len("</pre>")] + "<img src=x onerror=y></pre>"
    assert not is_literal(fake)
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(fake, id="x")])
    assert sanitize_notebook(nb, set()) == 1 and not RUNS.search(_body(nb))


def test_migrate_makes_notebooks_graded_before_this_step_safe(tmp_path):
    """An old workspace: autograded notebooks with live learner markup; `congvu migrate`
    (htmlsafe.resanitize) rewrites them once, then finds nothing more to do."""
    from grading.engine.htmlsafe import resanitize

    folder = tmp_path / "autograded" / "HV01" / "mini"
    folder.mkdir(parents=True)
    nbformat.write(_notebook(), folder / "mini.ipynb")
    url = f"sqlite:///{tmp_path / 'gradebook.db'}"
    assert resanitize(tmp_path, url) == (1, 1)
    assert not RUNS.search(_body(nbformat.read(folder / "mini.ipynb", as_version=4)))
    assert resanitize(tmp_path, url) == (1, 0)
