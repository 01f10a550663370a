"""Who sees which communes in the hub's report service."""
from grading.report.hub_service import allowed_wards


def test_hr_sees_all_chairman_own_communes_others_nothing():
    assert allowed_wards(["nhan_su", "hoc_vien", "xa_90001"]) is None
    assert allowed_wards(["chu_tich_xa", "hoc_vien", "xa_90002", "xa_90001"]) == ["90001", "90002"]
    assert allowed_wards(["hoc_vien", "xa_90001"]) == []
    assert allowed_wards(["giang_vien"]) == []
