"""Learner-written HTML never runs in a trainer's or HR officer's browser.

Everything in an autograded notebook may come from the learner: outputs (their code runs in the
sandbox and can display any HTML, JavaScript or SVG), markdown cells they wrote or edited,
attachments, cell tags and ids, notebook metadata (widget state). formgrader, nbgrader's
feedback and a notebook opened by the trainer render that notebook. ``SafeOutputs`` is the last
autograde step (after the scores are saved, so grading is unchanged) and rewrites the
autograded notebook so that rendering it cannot run anything:

* markdown cells whose source is not byte-identical to a locked cell of the trainer's source
  notebook (as recorded in the gradebook) are shown as literal text, in a ``<pre>`` block with
  every ``<`` escaped (nothing can end the block early: no tag, no ``javascript:`` link);
* ``text/html`` outputs pass through nbconvert's own ``clean_html`` (bleach: an allow-list of
  tags and attributes, no scripts, no event handlers, no ``javascript:`` URLs);
  ``text/markdown`` becomes cleaned HTML; JavaScript, SVG, LaTeX, widget views and any other
  type are dropped (``text/plain`` stays); raster images stay only as valid base64;
* attachments keep only raster images; tags and ids keep only safe characters; output metadata
  (``isolated`` iframes, sizes) and notebook ``widgets``/``title`` metadata are dropped.

Feedback and formgrader additionally render with ``HTMLExporter.sanitize_html`` (workspace
configuration), a second line for workspaces graded before this step existed.
"""
from __future__ import annotations

import base64
import binascii
import functools
import html
import logging
import re
import time

from nbconvert.preprocessors import Preprocessor
from traitlets import Bool

log = logging.getLogger("congvu")
RASTER = ("image/png", "image/jpeg", "image/gif")
ITEM_META = "congvu_item"  # the kit's own item metadata (plain strings, read by the kit)
REMOVED = "[nội dung HTML/JavaScript của bài làm đã được gỡ để an toàn khi xem]"
_SAFE_TOKEN = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


@functools.lru_cache(maxsize=4096)  # the same item displays recur across learners
def _clean_html(text: str) -> str:
    from nbconvert.filters import clean_html

    return str(clean_html(text))


def _raster(data) -> str | None:
    """Base64 image data, or None when it is not plain base64 (it would break out of src="")."""
    text = "".join(data) if isinstance(data, list) else data
    if not isinstance(text, str):
        return None
    compact = "".join(text.split())
    try:
        base64.b64decode(compact, validate=True)
    except (binascii.Error, ValueError):
        return None
    return compact


_PRE = '<pre class="congvu-learner-text" style="white-space: pre-wrap; font-family: inherit">'


def literal_markdown(source: str) -> str:
    """Markdown that shows ``source`` as literal text: a <pre> block that nothing ends early."""
    return f"{_PRE}{html.escape(source, quote=False)}</pre>"


def is_literal(source: str) -> bool:
    """True for markdown that is already literal text (``literal_markdown``'s form, with no
    ``<`` inside, so no tag at all), whoever wrote it: sanitising again leaves it as it is."""
    inner = source[len(_PRE):-len("</pre>")]
    return source.startswith(_PRE) and source.endswith("</pre>") and "<" not in inner


def safe_output(output: dict) -> dict:
    """One output with nothing that can run when rendered."""
    kind = output.get("output_type")
    if kind == "stream":
        return {"output_type": "stream", "name": "stderr" if output.get("name") == "stderr"
                else "stdout", "text": str("".join(output.get("text", "")))}
    if kind == "error":
        return {"output_type": "error", "ename": str(output.get("ename", "")),
                "evalue": str(output.get("evalue", "")),
                "traceback": [str(line) for line in output.get("traceback", [])]}
    data, out = output.get("data") or {}, {}
    plain = data.get("text/plain")
    if plain is not None:
        out["text/plain"] = "".join(plain) if isinstance(plain, list) else str(plain)
    for mime in RASTER:
        if mime in data and (image := _raster(data[mime])) is not None:
            out[mime] = image
    if "text/html" in data:
        out["text/html"] = _clean_html("".join(data["text/html"])
                                       if isinstance(data["text/html"], list) else
                                       str(data["text/html"]))
    elif "text/markdown" in data:
        from nbconvert.filters import markdown2html

        md = data["text/markdown"]
        out["text/html"] = _clean_html(markdown2html("".join(md) if isinstance(md, list)
                                                     else str(md)))
    dropped = set(data) - set(out) - {"text/markdown"}
    if dropped:
        log.debug("gỡ khỏi bài làm: %s", ", ".join(sorted(dropped)))
    if not out:
        out["text/plain"] = REMOVED
    safe = {"output_type": kind if kind in ("execute_result", "display_data")
            else "display_data", "data": out, "metadata": {}}
    item = (output.get("metadata") or {}).get(ITEM_META)
    if isinstance(item, dict):
        safe["metadata"][ITEM_META] = item
    if safe["output_type"] == "execute_result":
        count = output.get("execution_count")
        safe["execution_count"] = count if isinstance(count, int) else None
    return safe


def sanitize_notebook(nb, trusted_markdown: set[str] | frozenset[str]) -> int:
    """Rewrite ``nb`` in place (see module doc); ``trusted_markdown``: the sources of the
    trainer's locked markdown cells. Returns how many things were changed."""
    from nbformat import NotebookNode, from_dict

    changed = 0
    for key in ("widgets", "title"):
        if nb.metadata.pop(key, None) is not None:
            changed += 1
    for cell in nb.cells:
        if "id" in cell and not _SAFE_TOKEN.match(str(cell["id"])):
            cell["id"] = f"cell-{nb.cells.index(cell)}"
            changed += 1
        meta = cell.setdefault("metadata", NotebookNode())
        tags = meta.get("tags")
        if tags is not None:
            meta["tags"] = [t for t in tags if isinstance(t, str) and _SAFE_TOKEN.match(t)]
        for key in ("raw_mimetype", "format"):
            meta.pop(key, None)
        if "attachments" in cell:
            keep = {}
            for name, bundle in (cell.attachments or {}).items():
                images = {m: d for m in RASTER if m in bundle
                          and (d := _raster(bundle[m])) is not None}
                if images and _SAFE_TOKEN.match(name.replace(".", "_")):
                    keep[name] = images
            changed += len(cell.attachments or {}) - len(keep)
            cell["attachments"] = from_dict(keep)
        if cell.cell_type == "markdown" and cell.source not in trusted_markdown \
                and not is_literal(cell.source):
            cell.source = literal_markdown(cell.source)
            changed += 1
        if cell.cell_type == "code":
            outputs = [safe_output(o) for o in cell.get("outputs", [])]
            changed += sum(a != b for a, b in zip(outputs, cell.outputs))
            cell.outputs = [from_dict(o) for o in outputs]
            if not isinstance(cell.get("execution_count"), (int, type(None))):
                cell.execution_count = None
    return changed


_TRUSTED: dict[tuple[str, str, str], tuple[float, frozenset[str]]] = {}
TRUSTED_TTL_S = 60.0  # a worker grades many notebooks of one module: ask the gradebook rarely


def trusted_markdown(db_url: str, assignment: str, notebook: str) -> frozenset[str]:
    """Sources of the locked markdown cells of the trainer's notebook, from the gradebook
    (kept a minute per process: a stale set only changes how a trainer's cell is shown)."""
    from nbgrader.api import Gradebook, MissingEntry

    key, now = (db_url, assignment, notebook), time.monotonic()
    if key in _TRUSTED and now - _TRUSTED[key][0] < TRUSTED_TTL_S:
        return _TRUSTED[key][1]
    with Gradebook(db_url) as gb:
        try:
            source = gb.find_notebook(notebook, assignment)
            found = frozenset(c.source for c in source.source_cells
                              if c.cell_type == "markdown" and c.locked)
        except MissingEntry:
            found = frozenset()
    _TRUSTED[key] = (now, found)
    return found


def resanitize(root, db_url: str) -> tuple[int, int]:
    """Make every autograded notebook of a workspace safe to render, as the last autograde
    step does now (notebooks graded before it existed); idempotent. Returns (notebooks read,
    notebooks rewritten). Feedback made from them before must be made again (congvu feedback)."""
    import os
    from pathlib import Path

    import nbformat

    seen = rewritten = 0
    for path in sorted(Path(root, "autograded").glob("*/*/*.ipynb")):
        if path.is_symlink() or not path.is_file():
            continue
        seen += 1
        nb = nbformat.read(path, as_version=4)
        if sanitize_notebook(nb, trusted_markdown(db_url, path.parent.name, path.stem)):
            tmp = path.with_name(f".{path.name}.safe")
            nbformat.write(nb, tmp)
            os.replace(tmp, path)
            rewritten += 1
    return seen, rewritten


class SafeOutputs(Preprocessor):
    """The last autograde step: the autograded notebook made safe to render (module doc)."""

    enabled = Bool(True, help="nbconvert runs a preprocessor only when enabled").tag(config=True)

    def preprocess(self, nb, resources):
        info = resources.get("nbgrader") or {}
        trusted = trusted_markdown(info["db_url"], info["assignment"], info["notebook"]) \
            if info.get("db_url") else set()
        changed = sanitize_notebook(nb, trusted)
        if changed:
            log.info("%s/%s: %d chỗ trong bài làm được làm an toàn trước khi hiển thị",
                     info.get("student", "?"), info.get("notebook", "?"), changed)
        return nb, resources
