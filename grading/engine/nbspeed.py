"""nbgrader steps made cheaper without changing what they compute.

``SaveAutoGrades`` commits the gradebook once per graded cell (about 25 commits, each an fsync of
SQLite's journal, per notebook); ``SaveAutoGradesOnce`` runs nbgrader's own cell code with the
commits turned into flushes and commits once at the end of the notebook: the same rows, one
durable write. A failure part-way rolls the notebook's scores back together (nbgrader would
keep the cells saved so far; ``force=True`` regrading rewrites them anyway).
"""
from __future__ import annotations

from nbgrader.preprocessors import NbGraderPreprocessor, SaveAutoGrades


class SaveAutoGradesOnce(SaveAutoGrades):
    """nbgrader's SaveAutoGrades with one commit per notebook instead of one per cell."""

    def preprocess(self, nb, resources):
        from nbgrader.api import Gradebook

        info = resources["nbgrader"]
        self.notebook_id, self.assignment_id = info["notebook"], info["assignment"]
        self.student_id, self.db_url = info["student"], info["db_url"]
        self.gradebook = Gradebook(self.db_url)
        with self.gradebook:
            db = self.gradebook.db
            db.commit = db.flush  # nbgrader's per-cell commits: flushed, committed below
            try:
                nb, resources = NbGraderPreprocessor.preprocess(self, nb, resources)
            finally:
                del db.commit
            db.commit()
        return nb, resources
