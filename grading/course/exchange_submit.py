"""nbgrader's submit, leaving the submission private to the learner and the grader.

nbgrader 0.9's ``ExchangeSubmit`` makes each submission folder 0777 ("so the instructor can
delete later") and its files 0644: inside the sticky inbound another learner cannot list it, but
anyone who learns its name (the timestamp and random suffix are in the feedback and the logs)
could read or add files. Under the hub every learner's server uses this class instead
(``c.ExchangeFactory.submit``, written by ``learner/hub_config.py``): after nbgrader's copy the
folder is 0750 and its files 0640, owned by the learner; the group is the inbound's (set-group-id,
``course/hub_os.protect_workspace``), i.e. the grader's, so collecting still works.
"""
from __future__ import annotations

import os
from pathlib import Path

from nbgrader.exchange.default import ExchangeSubmit

DIR_MODE, FILE_MODE = 0o750, 0o640


def make_private(path: Path) -> None:
    """Owner: everything; group (the grader): read; others: nothing."""
    for folder, _dirs, files in os.walk(path):
        os.chmod(folder, DIR_MODE)
        for name in files:
            target = os.path.join(folder, name)
            if not os.path.islink(target):
                os.chmod(target, FILE_MODE)


class PrivateSubmit(ExchangeSubmit):
    """``nbgrader submit`` whose inbound copy only the learner and the grader can read."""

    def copy_files(self):
        super().copy_files()
        make_private(Path(self.inbound_path) / self.assignment_filename)
