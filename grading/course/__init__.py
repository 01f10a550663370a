"""course/ — what a course is and where its records live (lowest room but the learner's own).

    manifest.py    course.yml: tracks, modules, positions, pass marks; validated once
    workspace.py   a standard nbgrader course directory + the kit's congvu/ folder; init, release
    permissions.py who may read what: workspace and exchange modes, the `congvu doctor` check
    assessment.py  reads an assessment's source notebook (items, kit checks)
    gradebook.py   nbgrader's gradebook read with SQL into tidy frames; learner registration
    ledger.py      the grading log (congvu/grading_log.csv): one status line per graded submission
    exchange.py    a learner's side of nbgrader's exchange (fetch, answer, submit) for demo and tests

Imports only the shared modules (errors, columns, files, settings, status, vntext) and learner/'s
answer storage; never roster/, engine/ or report/.
"""
