"""nbgrader hooks the workspace configuration plugs in (see workspace.CONFIG_TEMPLATE)."""
from __future__ import annotations

from nbconvert.preprocessors import Preprocessor
from traitlets import Bool

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


class StaticWidgetOutputs(Preprocessor):
    """Drop live-widget views from executed outputs, keeping their text/html fallback.

    An autograded notebook has no widget state, so formgrader and feedback would render an
    empty box where the learner's answer should be; the item's fallback shows the answer.
    """

    enabled = Bool(True, help="nbconvert runs a preprocessor only when enabled").tag(config=True)

    def preprocess_cell(self, cell, resources, index):
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if WIDGET_VIEW in data and len(data) > 1:
                del data[WIDGET_VIEW]
        return cell, resources
