"""Vietnamese text keys: NFC, tone placement, diacritics, legacy encodings, name order."""
import unicodedata

from grading import vntext as V


def test_tone_placement_and_nfd_compare_equal():
    for old, new in (("Hòa", "Hoà"), ("Thủy", "Thuỷ"), ("Khỏa", "Khoả")):
        assert V.tone_key(old) == V.tone_key(new)
        assert V.tone_key(unicodedata.normalize("NFD", old)) == V.tone_key(new)
    assert V.tone_key("Tân") != V.tone_key("Tấn") and V.tone_key("Hòa") != V.tone_key("Hoa")
    assert V.tone_key("Phường  05") == V.tone_key("phường 5")


def test_ascii_key_and_slug():
    assert V.ascii_key("Đặc khu  Hòn-Ngọc") == "dac khu hon ngoc"
    assert V.slug("Phường Hòa Bình") == "phuong_hoa_binh"
    assert not V.has_diacritics("Xa Yen Thuy") and V.has_diacritics("Xã Yên Thủy")


def test_legacy_encoding_detected():
    assert V.looks_legacy("NguyÔn V¨n An, Phßng Néi vô")
    assert not V.looks_legacy("Nguyễn Văn An, Phòng Nội vụ")


def test_names_sort_by_given_name_in_vietnamese_order():
    names = ["Trần Thị Bình", "Đỗ Thị Hà", "Lê Văn Ánh", "Ngô Văn Ăn", "Lý Văn Anh",
             "Hoàng Văn Đức", "Phạm Văn Dũng", "Nguyễn Văn An", "Nguyễn Thị An"]
    assert sorted(names, key=V.name_sort_key) == [
        "Nguyễn Thị An", "Nguyễn Văn An", "Lý Văn Anh", "Lê Văn Ánh", "Ngô Văn Ăn",
        "Trần Thị Bình", "Phạm Văn Dũng", "Hoàng Văn Đức", "Đỗ Thị Hà"]
