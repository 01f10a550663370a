"""Hub accounts from the roster: roles, commune groups, one-time codes, leavers, the sheet."""

import openpyxl
import pandas as pd
import pytest

from grading import columns as C
from grading.course import hub, hub_sheet
from grading.errors import KitError


def roster(*rows):
    cols = [C.LEARNER, C.NAME, C.WARD_CODE, C.WARD_NAME, C.POSITION, C.LEFT]
    return pd.DataFrame([dict(zip(cols, r)) for r in rows], columns=cols, dtype=str)


ROSTER = roster(("CB0001", "Nguyễn Văn An", "90001", "Phường Hòa Bình", "Công chức", ""),
                ("CB0002", "Lê Văn Cường", "90001", "Phường Hòa Bình", "Chủ tịch UBND", ""),
                ("CB0003", "Trần Thị Bình", "90002", "Xã Tân Lập", "Công chức", ""),
                ("CB0004", "Đỗ Văn Đi", "90002", "Xã Tân Lập", "Công chức", "2026-05-01"))
STAFF = pd.DataFrame({"ten_dang_nhap": ["gv01", "CB0003"], "ho_ten": ["Giảng Viên", "x"],
                      "vai_tro": ["giang_vien", "nhan_su"], "ma_don_vi": ["", ""]})


def test_roles_and_commune_groups():
    accounts = {a.username: a for a in hub.plan_accounts(ROSTER, STAFF)}
    assert accounts["CB0002"].roles == ["hoc_vien", "chu_tich_xa"]
    assert accounts["CB0003"].roles == ["hoc_vien", "nhan_su"]  # a learner who also works in HR
    assert accounts["gv01"].roles == ["giang_vien"] and not accounts["gv01"].learner_id
    assert not accounts["CB0004"].active
    groups = hub.groups(list(accounts.values()))
    assert groups["xa_90001"] == ["CB0001", "CB0002"] and groups["chu_tich_xa"] == ["CB0002"]
    assert groups["xa_90002"] == ["CB0003"]  # the leaver is in no group


def test_bad_staff_role_names_the_row():
    bad = STAFF.assign(vai_tro=["giang_vien", "quan_tri"])
    with pytest.raises(KitError, match="dòng 3"):
        hub.plan_accounts(ROSTER, bad)


def test_codes_are_hashed_spent_and_kept_across_syncs(tmp_path):
    accounts, codes = hub.merge({}, hub.plan_accounts(ROSTER))
    assert set(codes) == {"CB0001", "CB0002", "CB0003"}  # not the leaver
    hub.save_state(tmp_path, accounts)
    text = (tmp_path / hub.STATE).read_text(encoding="utf-8")
    assert not any(code in text for code in codes.values())
    stored = hub.load_state(tmp_path)
    assert hub.check_code(codes["CB0001"].lower(), stored["CB0001"].code_hash)
    assert not hub.check_code("AAAAAAAA", stored["CB0001"].code_hash)
    hub.mark_password_set(tmp_path, "CB0001")
    # next sync: nobody gets a new code, CB0001's code stays spent; CB0003 left the roster
    again, new = hub.merge(hub.load_state(tmp_path), hub.plan_accounts(ROSTER.iloc[:2]))
    assert new == {}
    by_name = {a.username: a for a in again}
    assert by_name["CB0001"].code_hash == "" and not by_name["CB0003"].active
    _, reissued = hub.merge(hub.load_state(tmp_path), hub.plan_accounts(ROSTER),
                            reissue=frozenset({"CB0002"}))
    assert set(reissued) == {"CB0002"}


def test_first_login_sheet_one_sheet_per_commune(tmp_path):
    accounts, codes = hub.merge({}, hub.plan_accounts(ROSTER, STAFF))
    path = hub_sheet.write_sheet(tmp_path / "phieu.xlsx", accounts, codes,
                                 url="https://hoc.example.vn/", positions={"CB0002": "Chủ tịch UBND"})
    assert path.stat().st_mode & 0o777 == 0o600
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["90001 Phường Hòa Bình", "90002 Xã Tân Lập", "Cán bộ quản lý"]
    rows = list(book["90001 Phường Hòa Bình"].iter_rows(min_row=4, values_only=True))
    assert [(r[1], r[2], r[3], r[4]) for r in rows] == [
        ("Nguyễn Văn An", "Học viên", "CB0001", codes["CB0001"]),
        ("Lê Văn Cường", "Chủ tịch UBND", "CB0002", codes["CB0002"])]


def test_ids_differing_only_by_case_are_refused():
    twins = roster(("CB0001", "A", "90001", "P", "Công chức", ""),
                   ("cb0001", "B", "90001", "P", "Công chức", ""))
    with pytest.raises(KitError, match="chữ hoa/thường"):
        hub.plan_accounts(twins)
