"""engine/ — autograding: parallel, sandboxed, resumable.

    batch.py       grade(): plan, collect, run the pool or Dask, append statuses to the ledger
    intake.py      safe collect: learner = owner of the inbound folder, true time, regular files
    precheck.py    a look at a submission before grading (broken notebook, edited locked cells)
    worker.py      one learner through nbgrader's own autograde, in a worker process
    cluster.py     the same per-learner task on a Dask cluster
    executor.py    nbgrader's Execute step with a sandboxed kernel from the fork server
    kernels.py     fork-server client, kernel provisioner, manager and client
    lifeline.py    starts helpers that die with their parent from their first instruction
    forkserver.py  a warm, pre-imported server that forks one kernel per learner
    sandbox.py     namespaces, private root, uid, rlimits: what learner code can see and do
    cgroups.py     memory cgroup per sandbox
    userns.py      sandboxes without root: unprivileged user namespace, no capabilities
    nbspeed.py     nbgrader steps made cheaper, same results (one commit per notebook)
    htmlsafe.py    the autograded notebook made safe to render: no learner HTML/JS runs for staff
    checkrun.py    kit checks of hidden test cells, run in the supervisor, never in the kernel

The process tree of one batch:

    congvu grade (batch.grade)
     └─ worker pool (ProcessPoolExecutor)  or  Dask workers (cluster.run)
         └─ worker.grade_one → nbgrader autograde → executor.SandboxedExecute
             └─ fork server (forkserver.serve, pre-imported kernel code)
                 └─ supervisor (runs kit checks: checkrun)
                     └─ sandboxed kernel (sandbox.enter: namespaces, rlimits, cgroup)

Imports course/, learner/'s answer storage and the shared modules; nothing imports engine/
but api.py, cli.py and demo.py.
"""
