"""learner/ — what runs on the learner's side, inside their notebooks and JupyterLab.

    answers.py     the answers file (cau_tra_loi.json): atomic writes, reads, kit check registry
    items.py       answer widgets (choice, number, text, free text), saved on every change
    variants.py    per-learner option order: a function of (learner, module, attempt, item)
    checks/        hands-on checks (folders, letters, tables, .xlsx workbooks, .pptx slides),
                   each with a way to build a solution; checks/docx_write.py is the kit's one
                   .docx builder (the letter exercise and report/docx.py's ward report)
    nbhooks.py     nbgrader preprocessors and templates the workspace config plugs in
    templates/     Vietnamese feedback template and the learner JupyterLab's CSS
    lab.py         `congvu lab`: JupyterLab for one learner on a workspace's exchange
    lab_i18n.py    server extension of that JupyterLab: the kit's Vietnamese strings over
                   the vi-VN language pack (templates/lab/vi_VN.json)
    home.py        `congvu hoc`: the learner's home (Voila): their plan (ho_so.json), module
                   status from their own files, fetch/submit/feedback through the exchange
    home_page.py   the home page itself: a card per module (open, submit, verdict), rendered
                   lessons and assessments without code
    home_submit.py the "Nộp bài" bar the home's Voila adds inside a rendered assessment
    hub_config.py  `make hub`: JupyterHub config (deploy/jupyterhub_config.py calls it): login
                   with first-login codes, roles, LocalProcessSpawner starting lab.py's JupyterLab
                   as each official's own OS account, idle culling
    lazy_assignments.py  nbgrader's assignment-list routes, nbgrader imported at first use
                   (a learner's server under the hub starts ~0.4 CPU-s faster)

answers, items, variants and checks import only the standard library, ipywidgets and document libraries:
they run inside learners' kernels. Stored notebooks import them as ``grading.items`` and
``grading.checks.*``: those paths are kept as aliases.
"""
