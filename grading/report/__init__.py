"""report/ — from the gradebook to what HR and commune chairmen read.

    tables.py      build_tables(): gradebook + roster + statuses → tidy tables (the report stage)
    metrics.py     pure aggregations over tidy frames (per ward, module, position, track, time)
    joins.py       a left join on category keys by position (the 5 M-row learner × module join)
    people.py      people-level tables: who has not completed, learner sheet, progress
    labels.py      display labels, headers and value formats (vi/en)
    write.py       write_report(): report.xlsx, report.html and CSVs, atomically, owner-only
    csv_text.py    CSV text as pandas writes it, formatting each column's distinct values once
    fork.py        two parts of the work at once on a large cohort (here + a forked child)
    xlsx.py        the workbook (sheets, formats, native chart)
    xlsx_rows.py   fast sheet rows for large workbooks
    html.py        the self-contained HTML page with its charts
    wards.py       `congvu report`: whole report, one ward, or a file per ward
    docx.py        the ward report the commune chairman signs (.docx, Nghị định 30/2020/NĐ-CP)
    dashboard.py   the Voila dashboard for HR
    national.py    `congvu report --merge`: province workspaces in one national report
    attempts.py    retakes: attempts folded into one result per module (best or last)
    retake.py      `congvu retake`: the next attempt opened for learners who may retake
    draws.py       per learner: which pool items they were given (recomputed), attempts taken
    certificates.py  who completed a track; serials, verification codes, `congvu verify`
    certificate_pdf.py  the certificate pages (A4 PDF, DejaVu fonts, QR code)
    grading_page.py  the trainer's page: one free-text item across learners, rubric beside it
    hub_service.py the report as a JupyterHub service, filtered by role (HR: all; chairman: own);
                   `--voila`: the Voila dashboard as the hub service bang-dieu-khien, same filter

Imports course/, roster/ and the shared modules; never engine/.
"""
