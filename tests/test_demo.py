"""`make demo`'s own code on the tiny course (one module, two officials per commune): the whole
flow runs, and its last step issues a certificate to each official who completed a track, one
PDF each, whose code verifies — and to nobody else."""
import pandas as pd
import pytest

from grading import columns as C

pytestmark = pytest.mark.kernel


def test_demo_reports_and_certifies_exactly_the_completers(tmp_path, capsys):
    from conftest import MINI

    from grading import cli
    from grading import demo as D
    from grading.course import workspace as W
    from grading.report import certificates, tables

    out = tmp_path / "demo"
    result = D.run(out=out, manifest_path=MINI, per_ward=2, jobs=2, say=lambda _: None)
    assert result["xlsx"].exists() and result["html"].exists()
    lm, _ = tables.learner_modules(W.open_workspace(out))
    done = certificates.track_completers(lm)
    issued = result["certificates"]
    assert len(done) >= 1  # the demo's cohort has someone who completed the track
    assert sorted(issued[C.LEARNER]) == sorted(done[C.LEARNER])
    assert set(issued[C.LEARNER]) == set(lm.loc[lm[C.PASSED], C.LEARNER])  # one module: passed
    folder = result["certificates_dir"]
    per_person = sorted(p.stem for p in folder.glob("*/*.pdf"))
    assert per_person == sorted(issued["serial"])  # one PDF per completer
    assert sorted(p.name for p in result["certificate_files"]) == sorted(
        f"chung_nhan_{w}.pdf" for w in set(issued[C.WARD_CODE]))
    register = pd.read_csv(out / "congvu" / certificates.REGISTER, dtype=str)
    assert sorted(register["serial"]) == sorted(issued["serial"])
    capsys.readouterr()
    assert cli.main(["verify", issued["code"].iloc[0], "--dir", str(out)]) == 0
    assert "HỢP LỆ" in capsys.readouterr().out
