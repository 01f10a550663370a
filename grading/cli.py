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
    r.add_argument("file", type=Path, help="tệp danh sách: ma_can_bo, ho_ten, ma_don_vi, "
                                           "ten_don_vi, chuc_vu")

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

    s = sub.add_parser("status", help="trạng thái chấm của từng bài nộp")
    s.add_argument("dir", type=Path)
    s.add_argument("assignment", nargs="?", default=None)

    s = sub.add_parser("report", help="báo cáo theo đơn vị: Excel, HTML, CSV")
    s.add_argument("dir", type=Path)
    s.add_argument("--out", type=Path, required=True, help="thư mục ghi báo cáo")

    s = sub.add_parser("demo", help="chạy toàn bộ quy trình với dữ liệu giả lập")
    s.add_argument("--out", type=Path, default=Path("out/demo"))
    s.add_argument("--manifest", type=Path, default=None)
    s.add_argument("--jobs", type=int, default=None)
    return p


def _run(args) -> int:
    from . import autograde, demo, report, roster, summary
    from . import workspace as W

    lang = args.lang
    if args.command == "init":
        ws = W.init(directory=args.dir, manifest_path=args.manifest or default_manifest(),
                    force=args.force, db_url=args.db_url)
        print(f"Đã tạo {ws.root} với {len(ws.manifest.modules)} học phần.")
    elif args.command == "roster":
        ws = W.open_workspace(args.dir)
        res = roster.import_roster(workspace=ws.root, file=args.file, db_url=ws.db_url,
                                   course_id=ws.course_id)
        print(f"Đã nhập: {res.added} mới, {res.updated} cập nhật; tổng {res.total} cán bộ.")
    elif args.command == "release":
        ws = W.open_workspace(args.dir)
        print("Đã phát: " + ", ".join(W.release(ws, args.modules)))
    elif args.command == "grade":
        ws = W.open_workspace(args.dir)
        if args.collect:
            autograde.collect(ws, args.assignment)
        status = autograde.grade(workspace=ws, assignment=args.assignment, jobs=args.jobs,
                                 learners=args.learner)
        _print_status(status, lang)
        return 0 if (status["status"] == "graded").all() else 1
    elif args.command == "status":
        _print_status(autograde.read_status(W.open_workspace(args.dir), args.assignment), lang)
    elif args.command == "report":
        ws = W.open_workspace(args.dir)
        tables = summary.build_tables(ws, lang)
        titles = {m.id: m.title.get(lang) for m in ws.manifest.modules}
        paths = report.write_report(tables, args.out, lang=lang, module_titles=titles)
        print(report.format_table(tables["per_ward"], lang=lang, module_titles=titles))
        for path in paths.values():
            print(path)
    elif args.command == "demo":
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
