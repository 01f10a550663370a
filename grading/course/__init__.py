"""course/ — what a course is and where its records live (lowest room but the learner's own).

    manifest.py    course.yml: tracks, modules, positions, pass marks; validated once
    workspace.py   a standard nbgrader course directory + the kit's congvu/ folder; init, release
    assessment.py  reads an assessment's source notebook (items, kit checks)
    gradebook.py   nbgrader's gradebook read with SQL into tidy frames; learner registration
    ledger.py      the grading log (congvu/grading_log.csv): one status line per graded submission
    exchange.py    a learner's side of nbgrader's exchange (fetch, answer, submit) for demo and tests
    hub.py         hub accounts from the roster: roles, commune groups, one-time codes, users.json
    hub_os.py      an OS account per official (useradd), leavers locked, workspace closed to them
    hub_sheet.py   first-login sheets per commune (xlsx) for HR to print
    (hub*.py are here, not in a room of their own: accounts are course records, like the
    roster's registration in the gradebook; the hub's runtime side is learner/hub_config.py)

Imports only the shared modules (errors, columns, files, settings, status, vntext) and learner/'s
answer storage; never roster/, engine/ or report/.
"""
