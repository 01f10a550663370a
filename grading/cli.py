"""`congvu`: a thin command line over the grading package (Vietnamese by default, --lang en)."""
from __future__ import annotations

import argparse
import sys
import warnings
from pathlib import Path

from .errors import KitError

EPILOG = """Ví dụ / examples:
  congvu init khoa_hoc                       tạo thư mục làm việc nbgrader từ course.yml
  congvu roster import khoa_hoc ds.xlsx      nhập danh sách cán bộ (CSV hoặc .xlsx)
  congvu release khoa_hoc                    phát bài lên kho trao đổi cho học viên
  congvu grade khoa_hoc cntt_antt --collect  thu bài và chấm tự động
  congvu status khoa_hoc                     xem trạng thái chấm từng bài
  congvu report khoa_hoc --out bao_cao       lập báo cáo Excel, HTML, CSV theo đơn vị
  congvu demo                                chạy toàn bộ quy trình với dữ liệu giả lập
"""


def default_manifest() -> Path:
    """course.yml in the current folder, else the one shipped beside the package."""
    here = Path("course.yml")
    return here if here.is_file() else Path(__file__).resolve().parent.parent / "course.yml"


def _date(value: str):
    import datetime as dt

    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"ngày '{value}' không đúng dạng YYYY-MM-DD")


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="congvu", formatter_class=argparse.RawDescriptionHelpFormatter, epilog=EPILOG,
        description="Bộ công cụ học và kiểm tra cho cán bộ, công chức cấp xã, trên JupyterLab "
                    "và nbgrader. / E-learning and assessment kit for commune officials.")
    p.add_argument("--lang", choices=["vi", "en"], default="vi",
                   help="ngôn ngữ thông báo và báo cáo / language of messages and reports")
    sub = p.add_subparsers(dest="command", required=True, metavar="LỆNH")

    s = sub.add_parser("init", help="tạo thư mục làm việc (thư mục khóa học nbgrader chuẩn)")
    s.add_argument("dir", type=Path, help="thư mục sẽ tạo")
    s.add_argument("--manifest", type=Path, default=None,
                   help="tệp kê khai khóa học (mặc định: course.yml)")
    s.add_argument("--force", action="store_true", help="xóa và tạo lại nếu thư mục đã có")
    s.add_argument("--db-url", default=None,
                   help="gradebook khác SQLite, ví dụ postgresql+psycopg2://user@host/db")

    s = sub.add_parser("roster", help="danh sách cán bộ")
    rsub = s.add_subparsers(dest="roster_command", required=True, metavar="LỆNH")
    r = rsub.add_parser("import", help="nhập danh sách từ CSV hoặc .xlsx (lỗi một dòng: "
                                       "từ chối cả tệp, không nhập gì)")
    r.add_argument("dir", type=Path, help="thư mục làm việc")
    r.add_argument("file", type=Path, help="tệp danh sách (.xlsx nhiều trang, dòng tiêu đề ở "
                                           "đâu cũng được, hoặc CSV): mã cán bộ, họ và tên, mã "
                                           "và/hoặc tên đơn vị, chức vụ")
    r.add_argument("--units", type=Path, default=None,
                   help="danh mục đơn vị hành chính chính thức (CSV/.xlsx: mã, tên[, huyện cũ, "
                        "tên cũ]); được lưu vào thư mục làm việc (mặc định: danh mục mẫu giả lập)")
    r.add_argument("--add-only", action="store_true",
                   help="chỉ thêm/cập nhật người trong tệp, không ghi ai là đã rời danh sách "
                        "(tệp chỉ gồm một số đơn vị)")

    s = sub.add_parser("release", help="phát bài kiểm tra lên kho trao đổi")
    s.add_argument("dir", type=Path)
    s.add_argument("modules", nargs="*", help="mã học phần (mặc định: tất cả)")

    s = sub.add_parser("grade", help="chấm tự động mọi bài đã nộp của một học phần")
    s.add_argument("dir", type=Path)
    s.add_argument("assignment", help="mã học phần (tên bài nbgrader)")
    s.add_argument("--jobs", type=int, default=None, help="số tiến trình chấm (mặc định: số lõi)")
    s.add_argument("--learner", action="append", default=None,
                   help="chỉ chấm cán bộ này (có thể lặp lại)")
    s.add_argument("--collect", action="store_true", help="thu bài từ kho trao đổi trước")
    s.add_argument("--force", action="store_true",
                   help="chấm lại cả bài đã chấm (mặc định: chỉ chấm bài mới hoặc chưa xong, "
                        "nên chạy lại sau khi bị ngắt sẽ tiếp tục từ chỗ dừng)")
    s.add_argument("--scheduler", default=None, metavar="tcp://HOST:PORT",
                   help="chấm trên cụm Dask distributed có sẵn thay vì các tiến trình cục bộ")
    s.add_argument("--no-sandbox", dest="sandbox", action="store_const", const=False,
                   default=None, help="không cách ly mã học viên (chỉ dùng khi máy không cho "
                                      "tạo sandbox; mặc định: cách ly nếu có thể)")
    s.add_argument("--timeout", type=int, default=None, metavar="GIÂY",
                   help="giới hạn thời gian chạy của mỗi notebook (mặc định 300)")
    s.add_argument("--memory-mb", type=int, default=None,
                   help="giới hạn bộ nhớ cho mã học viên mỗi notebook (mặc định 1024)")

    s = sub.add_parser("status", help="trạng thái chấm của từng bài nộp")
    s.add_argument("dir", type=Path)
    s.add_argument("assignment", nargs="?", default=None)

    s = sub.add_parser("report", help="báo cáo theo đơn vị: Excel, HTML, CSV")
    s.add_argument("dir", type=Path)
    s.add_argument("--out", type=Path, required=True, help="thư mục ghi báo cáo")
    s.add_argument("--ward", action="append", default=None, metavar="MÃ",
                   help="chỉ báo cáo đơn vị có mã này (có thể lặp lại), để gửi chủ tịch UBND xã")
    s.add_argument("--split-by-ward", action="store_true",
                   help="thêm một tệp .xlsx và .html cho mỗi đơn vị trong OUT/theo_don_vi/")
    s.add_argument("--as-of", type=_date, default=None, metavar="YYYY-MM-DD",
                   help="ngày dùng để tính quá hạn (mặc định: hôm nay)")
    s.add_argument("--lang", choices=["vi", "en"], default=argparse.SUPPRESS,
                   help="ngôn ngữ của báo cáo (như `congvu --lang`) / report language")

    s = sub.add_parser("demo", help="chạy toàn bộ quy trình với dữ liệu giả lập")
    s.add_argument("--out", type=Path, default=Path("out/demo"))
    s.add_argument("--manifest", type=Path, default=None)
    s.add_argument("--jobs", type=int, default=None)
    return p


def _run(args) -> int:
    from . import autograde, roster
    from . import workspace as W

    lang = args.lang
    if args.command == "init":
        ws = W.init(directory=args.dir, manifest_path=args.manifest or default_manifest(),
                    force=args.force, db_url=args.db_url)
        print(f"Đã tạo {ws.root} với {len(ws.manifest.modules)} học phần.")
    elif args.command == "roster":
        ws = W.open_workspace(args.dir)
        res = roster.import_roster(workspace=ws.root, file=args.file, db_url=ws.db_url,
                                   course_id=ws.course_id, units_file=args.units,
                                   add_only=args.add_only)
        print(res.render(lang))
    elif args.command == "release":
        ws = W.open_workspace(args.dir)
        print("Đã phát: " + ", ".join(W.release(ws, args.modules)))
    elif args.command == "grade":
        ws = W.open_workspace(args.dir)
        if args.collect:
            autograde.collect(ws, args.assignment)
        from .sandbox import Limits

        limits = Limits()
        limits.wall_seconds = args.timeout or limits.wall_seconds
        limits.memory_mb = args.memory_mb or limits.memory_mb
        status = autograde.grade(workspace=ws, assignment=args.assignment, jobs=args.jobs,
                                 learners=args.learner, force=args.force,
                                 scheduler=args.scheduler, sandbox=args.sandbox, limits=limits)
        _print_status(status, lang)
        return 0 if status["status"].isin(["graded", "tampered"]).all() else 1
    elif args.command == "status":
        _print_status(autograde.read_status(W.open_workspace(args.dir), args.assignment), lang)
    elif args.command == "report":
        from .report_wards import report_command

        report_command(W.open_workspace(args.dir), args.out, lang=lang, wards=args.ward,
                       split=args.split_by_ward, as_of=args.as_of)
    elif args.command == "demo":
        from . import demo  # imported here: it pulls in nbformat (slow to import)

        demo.run(out=args.out, manifest_path=args.manifest or default_manifest(), jobs=args.jobs)
    return 0


def _print_status(status, lang: str) -> None:
    from .autograde import STATUS_EN, STATUS_VI

    if status.empty:
        print("Chưa có bài nào được chấm." if lang == "vi" else "Nothing graded yet.")
        return
    names = STATUS_VI if lang == "vi" else STATUS_EN
    for row in status.itertuples():
        print(f"{row.module_id}\t{row.learner_id}\t{names.get(row.status, row.status)}\t{row.reason}")
    counts = status["status"].map(lambda s: names.get(s, s)).value_counts()
    print(", ".join(f"{k}: {v}" for k, v in counts.items()))


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        from sqlalchemy.exc import SAWarning

        warnings.filterwarnings("ignore", category=SAWarning)  # nbgrader's ORM, not ours
        return _run(args)
    except KitError as exc:
        print(exc.render(args.lang), file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
