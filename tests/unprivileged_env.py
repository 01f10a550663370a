"""An interpreter an unprivileged account can run: Debian's python3 in a venv that reads this
checkout's installed packages (a .pth file), with the commands nbgrader shells out to.

The project's venv may be built from an interpreter under a private home (pyenv in /root), which
another account cannot execute. Usage (as root, by tests and .ci/run):

    python tests/unprivileged_env.py /tmp/congvu-user-venv   # prints the new interpreter
"""
from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
from pathlib import Path

DEBIAN_PYTHON = "/usr/bin/python3"
COMMANDS = {"alembic": "alembic.config", "nbgrader": "nbgrader.apps.nbgraderapp",
            "congvu": "grading.cli"}


def usable() -> str:
    """'' if Debian's python3 can read this venv's packages, else why not."""
    if not os.access(DEBIAN_PYTHON, os.X_OK):
        return f"{DEBIAN_PYTHON} is missing (apt-get install python3)"
    out = subprocess.run([DEBIAN_PYTHON, "-c", "import sys; print(sys.version_info[:2])"],
                         capture_output=True, text=True).stdout.strip()
    if out != str(tuple(sys.version_info[:2])):
        return f"{DEBIAN_PYTHON} is {out}, the venv is {tuple(sys.version_info[:2])}"
    return ""


def make(dest: Path) -> Path:
    """Create the venv at ``dest`` (world-readable); return its interpreter."""
    subprocess.run([DEBIAN_PYTHON, "-m", "venv", "--without-pip", "--clear", str(dest)],
                   check=True)
    purelib = Path(sysconfig.get_paths(vars={"base": str(dest)})["purelib"])
    mine = sysconfig.get_paths()["purelib"]
    (purelib / "congvu_checkout.pth").write_text(f"import site; site.addsitedir({mine!r})\n")
    python = dest / "bin" / "python"
    for name, module in COMMANDS.items():
        script = dest / "bin" / name
        script.write_text(f"#!{python}\nimport sys\nfrom {module} import main\n"
                          "sys.exit(main())\n")
        script.chmod(0o755)
    for path in [dest, *dest.rglob("*")]:
        if not path.is_symlink():
            path.chmod(path.stat().st_mode | 0o555 if path.is_dir() else
                       path.stat().st_mode | 0o444)
    return python


if __name__ == "__main__":
    problem = usable()
    if problem:
        sys.exit(problem)
    print(make(Path(sys.argv[1])))
