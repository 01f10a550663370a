"""The course manifest is read once, typed, and every problem is reported with its fix."""
import datetime as dt

import pytest
from conftest import REPO

from grading.course import manifest as mf
from grading.errors import ManifestError


def test_real_manifest_loads():
    m = mf.load(REPO / "course.yml")
    assert m.course_id == "congvu"
    assert {t.id for t in m.tracks} == {"cntt", "daoduc"}
    ids = [mod.id for mod in m.modules]
    assert "cntt_antt" in ids and "daoduc_motcua" in ids
    desk = m.module("daoduc_motcua")
    assert desk.required("Chuyên viên Trung tâm Phục vụ hành chính công")
    assert not desk.required("Chuyên viên Phòng Kinh tế")
    assert m.module("cntt_antt").required("bất kỳ chức vụ nào")
    assert isinstance(desk.deadline, dt.date)


def test_positions_match_after_nfc_and_case(mini_manifest):
    import unicodedata

    m = mf.load(REPO / "course.yml")
    nfd = unicodedata.normalize("NFD", "  chủ tịch  UBND ")
    assert m.module("daoduc_motcua").required(nfd)


def _write(tmp_path, text):
    (tmp_path / "assessments" / "a1").mkdir(parents=True)
    (tmp_path / "assessments" / "a1" / "a1.ipynb").write_text("{}")
    path = tmp_path / "course.yml"
    path.write_text(text, encoding="utf-8")
    return path


def test_all_problems_reported_at_once(tmp_path):
    path = _write(tmp_path, """
course_id: Bad Id
title: {vi: "Khóa"}
tracks: [{id: cntt, title: "CNTT"}]
modules:
  - {id: a1, track: cntt, title: "A", assessment: assessments/a1, pass_mark: 150}
  - {id: a1, track: khac, title: "B", assessment: assessments/none, lessons: [x.ipynb],
     deadline: "mai"}
""")
    with pytest.raises(ManifestError) as info:
        mf.load(path)
    text = info.value.render()
    assert "course_id" in text
    assert "pass_mark '150'" in text
    assert "id 'a1' bị trùng" in text
    assert "mảng 'khac'" in text
    assert "không thấy bài học x.ipynb" in text
    assert "'assessments/none'" in text
    assert "YYYY-MM-DD" in text
    assert str(path) in text


def test_missing_file_and_bad_yaml(tmp_path):
    with pytest.raises(ManifestError, match="không tìm thấy"):
        mf.load(tmp_path / "course.yml")
    (tmp_path / "course.yml").write_text("a: [b", encoding="utf-8")
    with pytest.raises(ManifestError, match="YAML không hợp lệ"):
        mf.load(tmp_path)


def test_unknown_module_names_the_choices():
    m = mf.load(REPO / "course.yml")
    with pytest.raises(ManifestError, match="cntt_antt"):
        m.module("khong_co")


def test_positions_are_data_and_required_for_must_name_them(tmp_path):
    from grading.course.manifest import load, position_key

    shipped = load(REPO / "course.yml")
    names = [p.name for p in shipped.positions]
    assert "Chủ tịch UBND" in names and len(names) == len(set(names))
    for module in shipped.modules:  # every required position is a declared one
        assert all(r == "all" or r in {n.casefold() for n in names} for r in module.required_for)
    assert position_key("Chủ tịch Ủy ban nhân dân xã") == position_key("CHỦ TỊCH UBND")
    text = (REPO / "course.yml").read_text(encoding="utf-8").replace(
        '- "Chủ tịch UBND"\n', '- "Chủ tịch UBND huyện"\n', 1)
    (tmp_path / "course.yml").write_text(text, encoding="utf-8")
    for sub in ("courses", "assessments"):
        (tmp_path / sub).symlink_to(REPO / sub)
    with pytest.raises(ManifestError) as info:
        load(tmp_path / "course.yml")
    assert "required_for 'chủ tịch ubnd huyện' không có trong positions" in info.value.render()
