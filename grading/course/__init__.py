"""course/ — what a course is and where its records live (lowest room but the learner's own).

    manifest.py    course.yml: tracks, modules, positions, pass marks; validated once
    workspace.py   a standard nbgrader course directory + the kit's congvu/ folder; init, release
    permissions.py who may read what: workspace and exchange modes, the `congvu doctor` check
    assessment.py  reads an assessment's source notebook (items, kit checks)
    gradebook.py   nbgrader's gradebook read with SQL into tidy frames; learner registration
    score_scan.py  the report's one pass: one row per notebook (who, when, summed grades), two halves at once
    scan_columns.py  the scan's rows into compact columns chunk by chunk (codes, floats, dates)
    migrate.py     the kit's indexes and score table on nbgrader's gradebook (congvu init, migrate)
    score_table.py one row per submitted notebook with its summed score, kept by triggers
    ledger.py      the grading log (congvu/grading_log.csv): one status line per graded submission
    retakes.py     the register of opened retakes (congvu/retakes.csv); why a retake is refused
    runs.py        processes of a batch by pid and start time; orphans of dead batches cleared
    faults.py      disk full, no permission, database down: Vietnamese errors, not tracebacks
    dbcheck.py     is the gradebook reachable? bounded retries of transient database errors
    exchange.py    a learner's side of nbgrader's exchange (fetch, answer, submit) for demo and tests
    manual.py      hand grading of one free-text item across learners, written as formgrader
                   writes it (manual_score, comment) + the audit log nhat_ky_cham_tay.csv
    hub.py         hub accounts from the roster: roles, commune groups, one-time codes, users.json
    hub_os.py      an OS account per official (useradd), leavers locked, workspace closed to them
    hub_sheet.py   first-login sheets per commune (xlsx) for HR to print
    exchange_submit.py  nbgrader's submit leaving the submission 0750/0640: learner + grader only
    (hub*.py are here, not in a room of their own: accounts are course records, like the
    roster's registration in the gradebook; the hub's runtime side is learner/hub_config.py)

Imports only the shared modules (errors, columns, files, settings, status, vntext) and learner/'s
answer storage; never roster/, engine/ or report/.
"""
