"""congvu: e-learning and assessment kit for commune officials (the ``grading`` package).

    api.py       the trainer's Python surface (keyword-only functions that return values)
    cli.py       `congvu …`: the command line, the only module that prints
    demo.py      `make demo`: the whole flow on a synthetic cohort
    settings.py  every default, once; grading limits as traitlets stored in the workspace
    status.py    the status vocabulary of graded submissions (vi/en labels)
    errors.py    one error root, Vietnamese messages that name the fix
    columns.py   column names of the tidy tables
    files.py     atomic, owner-only file writes
    vntext.py    Vietnamese text: NFC, tone folding, legacy encodings, sorting
    course/      manifest, workspace, gradebook, grading log, exchange helpers
    roster/      HR files → officials
    engine/      autograding: batch, workers, Dask, fork server, sandbox
    report/      tables, metrics, workbook, page, dashboard
    learner/     answers, item widgets, hands-on checks, notebook hooks, lab
    items.py, nbhooks.py, checks/   aliases kept for stored notebooks and older workspaces
"""
__version__ = "0.1.0"
