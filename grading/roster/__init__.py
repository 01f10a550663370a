"""roster/ — officials from HR's files into the workspace.

    hr_excel.py    real HR workbooks/CSVs: title rows, merged headers, several sheets → rows
    filetype.py    what a file really is (encrypted, .xls, HTML, CSV named .xlsx, empty…)
    units.py       the table of commune-level units (codes, names, old/new tone folding)
    ids.py         learner ids: cleaned form, matching key, re-import reconciliation
    positions.py   positions mapped onto course.yml's declared positions (or refused)
    check.py       row checks: every problem collected with file, sheet, row, column and fix
    diff.py        differences between the stored roster and a new import (joiners, leavers)
    importer.py    import_roster(): read → check → diff → gradebook + congvu/roster.csv
    commit.py      all-or-nothing write of an import (write-ahead journal, replayed after a crash)
    data/          the synthetic sample province shipped with the kit

Imports course/ and the shared modules; never engine/ or report/.
"""
