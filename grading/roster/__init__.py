"""roster/ — officials from HR's files into the workspace.

    hr_excel.py    real HR workbooks/CSVs: title rows, merged headers, several sheets → rows
    units.py       the table of commune-level units (codes, names, old/new tone folding)
    check.py       row checks: every problem collected with file, sheet, row, column and fix
    diff.py        differences between the stored roster and a new import (joiners, leavers)
    importer.py    import_roster(): read → check → diff → gradebook + congvu/roster.csv
    commit.py      all-or-nothing write of an import (write-ahead journal, replayed after a crash)
    data/          the synthetic sample province shipped with the kit

Imports course/ and the shared modules; never engine/ or report/.
"""
