"""`congvu`: a thin command line over the grading package (Vietnamese by default, --lang en).

Never a traceback for a user's mistake: the kit's errors render with their fix, argparse's own
messages are translated (``ARGPARSE_VI``), a file the system refuses to read or write is named
with the fix, and anything unexpected is one line (``-vv`` shows the details).

Size: the parser of every subcommand, its translation and the error net live here, the only
module that prints.
"""
from __future__ import annotations

import argparse
import logging
import os
import sys
import warnings
from pathlib import Path

from grading import columns as C
from grading.errors import KitError, problem
from grading.status import OK

EPILOG = """Ví dụ / examples:
  congvu init khoa_hoc                       tạo thư mục làm việc nbgrader từ course.yml
  congvu roster import khoa_hoc ds.xlsx      nhập danh sách cán bộ (CSV hoặc .xlsx)
  congvu release khoa_hoc                    phát bài lên kho trao đổi cho học viên
  congvu grade khoa_hoc cntt_antt --collect  thu bài và chấm tự động
  congvu status khoa_hoc                     xem trạng thái chấm từng bài
  congvu report khoa_hoc --out bao_cao       lập báo cáo Excel, HTML, CSV theo đơn vị
  congvu report --merge HN=tinh1 HP=tinh2 --out toan_quoc   tổng hợp nhiều tỉnh
  congvu feedback khoa_hoc cntt_antt         tạo và phát phản hồi cho học viên
  congvu lab khoa_hoc --learner CB0001       JupyterLab của một học viên (thử trên một máy)
  congvu dashboard khoa_hoc                  bảng điều khiển cho phòng Nội vụ
  congvu demo                                chạy toàn bộ quy trình với dữ liệu giả lập
  congvu hoc khoa_hoc --learner CB0001       trang chủ của học viên (không cần biết Jupyter)
  congvu cham-tay khoa_hoc --who gv_hoa      trang chấm câu tự luận (từng câu, mọi học viên)
  congvu formgrader khoa_hoc                 mở formgrader của nbgrader (trong JupyterLab)
"""


def _date(value: str):
    import datetime as dt

    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"ngày '{value}' không đúng dạng YYYY-MM-DD")


ARGPARSE_VI = {
    "usage: ": "cách dùng: ", "positional arguments": "tham số",
    "options": "tùy chọn", "show this help message and exit": "xem hướng dẫn này rồi thoát",
    "the following arguments are required: %s": "thiếu tham số bắt buộc: %s",
    "unrecognized arguments: %s": "tham số không hiểu được: %s",
    "argument %(argument_name)s: %(message)s": "tham số %(argument_name)s: %(message)s",
    "invalid choice: %(value)r (choose from %(choices)s)":
        "giá trị %(value)r không hợp lệ (chọn một trong: %(choices)s)",
    "invalid %(type)s value: %(value)r": "giá trị %(value)r không hợp lệ (cần kiểu %(type)s)",
    "expected one argument": "cần một giá trị", "expected at least one argument":
        "cần ít nhất một giá trị", "expected at most one argument": "cần nhiều nhất một giá trị",
    "ambiguous option: %(option)s could match %(matches)s":
        "tùy chọn %(option)s chưa rõ, có thể là %(matches)s",
    "not allowed with argument %s": "không dùng cùng với %s",
    "one of the arguments %s is required": "cần một trong các tham số %s",
    "ignored explicit argument %r": "bỏ qua giá trị %r",
    "%(prog)s: error: %(message)s\n": "%(prog)s: lỗi: %(message)s\n",
}


class _Parser(argparse.ArgumentParser):
    """argparse with its messages in the chosen language and a fix after every error."""

    lang = "vi"

    def error(self, message: str):
        self.print_usage(sys.stderr)
        fix = (f"Xem cách dùng: {self.prog} --help" if self.lang == "vi" else
               f"See how to use it: {self.prog} --help")
        self.exit(2, argparse._("%(prog)s: error: %(message)s\n")
                  % {"prog": self.prog, "message": message} + f"  → {fix}\n")


def _language(argv: list[str]) -> str:
    """The --lang of the command line, read before parsing (argparse's own messages)."""
    for i, arg in enumerate(argv):
        if arg == "--lang=en" or (arg == "--lang" and argv[i + 1:i + 2] == ["en"]):
            return "en"
    return "vi"


def _demo_dir_arg(s: argparse.ArgumentParser, learner: bool = False) -> None:
    """The workspace of the servers one opens to try the kit: optional, the demo's by default;
    with ``learner``, whose server it is (``congvu lab``, ``congvu hoc``)."""
    s.add_argument("dir", type=Path, nargs="?", default=Path("out/demo"),
                   help="thư mục làm việc (mặc định: out/demo)")
    if learner:
        s.add_argument("--learner", default=None,
                       help="mã học viên (mặc định: tên người dùng máy)")
        s.add_argument("--home", default=None, help="thư mục của học viên")


def _parser(lang: str = "vi") -> argparse.ArgumentParser:
    import gettext

    argparse._ = gettext.gettext if lang == "en" else (lambda s: ARGPARSE_VI.get(s, s))
    _Parser.lang = lang
    p = _Parser(
        prog="congvu", formatter_class=argparse.RawDescriptionHelpFormatter, epilog=EPILOG,
        description="Bộ công cụ học và kiểm tra cho cán bộ, công chức cấp xã, trên JupyterLab "
                    "và nbgrader. / E-learning and assessment kit for commune officials.")
    p.add_argument("--lang", choices=["vi", "en"], default="vi",
                   help="ngôn ngữ thông báo và báo cáo / language of messages and reports")
    p.add_argument("-v", "--verbose", action="count", default=0,
                   help="in thêm chi tiết (-vv: cả lỗi gốc) / more detail (-vv: tracebacks)")
    p.add_argument("-q", "--quiet", action="store_true",
                   help="chỉ in kết quả và lỗi, không thanh tiến độ / results and errors only")
    sub = p.add_subparsers(dest="command", required=True, metavar="LỆNH")

    s = sub.add_parser("init", help="tạo thư mục làm việc (thư mục khóa học nbgrader chuẩn)")
    s.add_argument("dir", type=Path, help="thư mục sẽ tạo")
    s.add_argument("--manifest", type=Path, default=None,
                   help="tệp kê khai khóa học (mặc định: course.yml)")
    s.add_argument("--force", action="store_true", help="xóa và tạo lại nếu thư mục đã có")
    s.add_argument("--db-url", default=None,
                   help="gradebook khác SQLite, ví dụ postgresql+psycopg2://user@host/db")
    s.add_argument("--exchange", type=Path, default=None,
                   help="thư mục kho trao đổi dùng chung với học viên (mặc định: DIR/exchange)")

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
    r.add_argument("--sheet", default=None, metavar="TÊN",
                   help="chỉ đọc trang (sheet) này; mặc định: mọi trang có dòng tiêu đề danh "
                        "sách, bỏ qua trang ẩn và trang hướng dẫn")
    r.add_argument("--yes", action="store_true",
                   help="đồng ý ghi nhiều cán bộ là đã rời danh sách (khi tệp thiếu hơn 20%% "
                        "số người đang có) mà không hỏi lại")

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
    s.add_argument("dir", type=Path, nargs="?", default=None)
    s.add_argument("--out", type=Path, required=True, help="thư mục ghi báo cáo")
    s.add_argument("--ward", action="append", default=None, metavar="MÃ",
                   help="chỉ báo cáo đơn vị có mã này (có thể lặp lại), để gửi chủ tịch UBND xã")
    s.add_argument("--split-by-ward", action="store_true",
                   help="thêm một tệp .xlsx và .html cho mỗi đơn vị trong OUT/theo_don_vi/")
    s.add_argument("--as-of", type=_date, default=None, metavar="YYYY-MM-DD",
                   help="ngày dùng để tính quá hạn, theo giờ Việt Nam (mặc định: hôm "
                        "nay ở Việt Nam, dù máy chủ đặt múi giờ nào)")
    s.add_argument("--docx", action="store_true",
                   help="thêm báo cáo .docx đúng thể thức Nghị định 30/2020/NĐ-CP cho chủ tịch "
                        "UBND ký, một tệp mỗi đơn vị (dùng với --ward hoặc --split-by-ward)")
    s.add_argument("--lang", choices=["vi", "en"], default=argparse.SUPPRESS,
                   help="ngôn ngữ của báo cáo (như `congvu --lang`) / report language")
    s.add_argument("--merge", nargs="+", default=None, metavar="[TỈNH=]THƯ_MỤC",
                   help="tổng hợp toàn quốc: gộp thư mục làm việc của nhiều tỉnh cùng khóa học "
                        "(hoặc một tệp liệt kê chúng, mỗi dòng một thư mục) thành một báo cáo "
                        "theo tỉnh, đơn vị, chức vụ; mã cán bộ trùng chỉ được tính một lần")

    s = sub.add_parser("migrate", help="cập nhật thư mục làm việc cũ: thêm chỉ mục và bảng điểm "
                       "congvu vào sổ điểm (báo cáo nhanh), làm an toàn các bài đã chấm trước đây")
    s.add_argument("dir", type=Path)

    s = sub.add_parser("feedback", help="tạo phản hồi cho học viên và phát lên kho trao đổi")
    s.add_argument("dir", type=Path)
    s.add_argument("assignment", help="mã học phần")
    s.add_argument("--no-release", action="store_true",
                   help="chỉ tạo tệp phản hồi trong feedback/, chưa phát cho học viên")

    s = sub.add_parser("lab", help="mở JupyterLab tiếng Việt cho một học viên (thử trên một máy)")
    _demo_dir_arg(s, learner=True)
    s.add_argument("--port", type=int, default=8888)
    s.add_argument("--no-browser", action="store_true", help="không tự mở trình duyệt")

    s = sub.add_parser("dashboard", help="bảng điều khiển cho phòng Nội vụ (Voila)")
    _demo_dir_arg(s)
    s.add_argument("--port", type=int, default=8866)

    s = sub.add_parser("certificates", help="giấy chứng nhận (PDF) cho cán bộ đã hoàn thành "
                       "một mảng: một tệp mỗi đơn vị để in, một tệp mỗi người")
    s.add_argument("dir", type=Path)
    s.add_argument("--out", type=Path, required=True, help="thư mục ghi các tệp PDF")
    s.add_argument("--ward", action="append", default=None, metavar="MÃ",
                   help="chỉ cấp cho đơn vị có mã này (có thể lặp lại)")

    s = sub.add_parser("verify", help="kiểm tra mã xác minh in trên giấy chứng nhận")
    s.add_argument("code", help="mã xác minh, ví dụ ABCDE-23456")
    s.add_argument("--dir", type=Path, default=Path("out/demo"),
                   help="thư mục làm việc đã cấp giấy (mặc định: out/demo)")

    s = sub.add_parser("retake", help="mở lần làm bài tiếp theo của một học phần cho học viên "
                       "chưa đạt (theo retakes: trong course.yml)")
    s.add_argument("dir", type=Path)
    s.add_argument("module", help="mã học phần")

    s = sub.add_parser("demo", help="chạy toàn bộ quy trình với dữ liệu giả lập")
    s.add_argument("--out", type=Path, default=Path("out/demo"))
    s.add_argument("--manifest", type=Path, default=None)
    s.add_argument("--jobs", type=int, default=None)

    s = sub.add_parser("cham-tay", help="trang chấm câu tự luận cho giảng viên (Voila)")
    _demo_dir_arg(s)
    s.add_argument("--port", type=int, default=8867)
    s.add_argument("--who", default=None,
                   help="tên người chấm ghi vào nhật ký (mặc định: tên người dùng máy)")

    s = sub.add_parser("hoc", help="trang chủ của học viên: học, làm bài, nộp, xem kết quả (Voila)")
    _demo_dir_arg(s, learner=True)
    s.add_argument("--port", type=int, default=8869)

    s = sub.add_parser("formgrader", help="mở formgrader của nbgrader trong JupyterLab")
    _demo_dir_arg(s)
    s.add_argument("--port", type=int, default=8868)

    s = sub.add_parser("doctor", help="kiểm tra quyền truy cập: học viên không đọc được đáp án, "
                                      "điểm hay bài của người khác")
    s.add_argument("dir", type=Path)
    s.add_argument("--fix", action="store_true", help="đặt lại quyền đúng cho mọi mục bị sai")
    s = sub.add_parser("hub", help="máy chủ JupyterHub: tài khoản cán bộ từ danh sách (make hub)")
    hsub = s.add_subparsers(dest="hub_command", required=True, metavar="LỆNH")
    h = hsub.add_parser("sync", help="tạo/cập nhật tài khoản hub và tài khoản máy cho mỗi cán bộ; "
                                     "người đã rời bị khóa (giữ bài làm); phiếu đăng nhập lần đầu")
    h.add_argument("dir", type=Path, help="thư mục làm việc")
    h.add_argument("--staff", type=Path, default=None,
                   help="tệp CSV/.xlsx cán bộ quản lý: ten_dang_nhap, ho_ten, vai_tro "
                        "(giang_vien, nhan_su, chu_tich_xa), ma_don_vi")
    h.add_argument("--url", default="http://127.0.0.1:8000/",
                   help="địa chỉ hub in trên phiếu đăng nhập")
    h.add_argument("--reissue", nargs="*", default=[], metavar="TÊN",
                   help="cấp mã mới cho người chưa đăng nhập lần nào (mất phiếu)")
    h.add_argument("--no-os-accounts", action="store_true",
                   help="chỉ ghi danh sách tài khoản hub, không tạo tài khoản máy (không cần root)")
    return p


def _run(args) -> int:
    from grading import api

    lang = args.lang
    if args.command == "init":
        ws = api.init_workspace(directory=args.dir, manifest=args.manifest, force=args.force,
                                db_url=args.db_url, exchange=args.exchange)
        print(f"Đã tạo {ws.root} với {len(ws.manifest.modules)} học phần.")
    elif args.command == "roster":
        res = _import_roster(args)
        print(res.render(lang))
    elif args.command == "release":
        print("Đã phát: " + ", ".join(api.release(workspace=args.dir, modules=args.modules)))
    elif args.command == "grade":
        status = api.grade(workspace=args.dir, module=args.assignment, collect=args.collect,
                           jobs=args.jobs, learners=args.learner, force=args.force,
                           scheduler=args.scheduler, sandbox=args.sandbox,
                           timeout=args.timeout, memory_mb=args.memory_mb,
                           progress=not args.quiet)
        _print_status(status, lang)
        return 0 if status["status"].isin(OK).all() else 1
    elif args.command == "status":
        _print_status(api.status(workspace=args.dir, module=args.assignment), lang)
    elif args.command == "report" and args.merge:
        result = api.merge_report(workspaces=[*([args.dir] if args.dir else []), *args.merge],
                                  out=args.out, lang=lang, as_of=args.as_of)
        _print_report(result, lang)
        if len(result["conflicts"]):
            print(f"{result['conflicts'][C.LEARNER].nunique()} " + (
                "mã cán bộ có ở nhiều tỉnh, chỉ tính một lần: xem bảng trùng mã" if lang == "vi"
                else "learner ids in several provinces, counted once: see the conflicts table"))
    elif args.command == "report" and args.dir is None:
        raise KitError(problem("thiếu thư mục làm việc", "congvu report THƯ_MỤC --out BÁO_CÁO",
                               message_en="no workspace given",
                               fix_en="congvu report DIR --out OUT"))
    elif args.command == "migrate":
        done = api.migrate(workspace=args.dir)
        print(("Đã thêm vào sổ điểm: " + ", ".join(done["indexes"])) if done["indexes"]
              else "Sổ điểm đã cập nhật.")
        print(f"Đã làm an toàn {done['made_safe']}/{done['notebooks']} bài đã chấm "
              "(nội dung HTML/JavaScript của học viên không chạy khi xem)"
              + ("; hãy tạo lại phản hồi: congvu feedback" if done["made_safe"] else "."))
    elif args.command == "report":
        result = api.write_report(workspace=args.dir, out=args.out, lang=lang, wards=args.ward,
                                  split_by_ward=args.split_by_ward, as_of=args.as_of,
                                  docx=args.docx)
        _print_report(result, lang)
    elif args.command == "feedback":
        done = api.feedback(workspace=args.dir, module=args.assignment,
                            release=not args.no_release)
        print((f"Đã tạo phản hồi cho {len(done)} học viên"
               + ("" if args.no_release else ", đã phát lên kho trao đổi")) if lang == "vi" else
              (f"Feedback generated for {len(done)} learners"
               + ("" if args.no_release else ", released to the exchange")))
    elif args.command == "lab":
        lab = api.lab(workspace=args.dir, learner=args.learner, home=args.home, port=args.port,
                      open_browser=not args.no_browser)
        print(f"Học viên: {lab.learner} — thư mục: {lab.home}")
        print(f"Mở trình duyệt tại / open: {lab.url}")
        print("Dừng: nhấn Ctrl + C hai lần / stop: press Ctrl+C twice")
        return _serve(lab.argv, lab.env)
    elif args.command == "dashboard":
        argv, env = api.dashboard(workspace=args.dir, port=args.port)
        print(f"Mở trình duyệt tại http://127.0.0.1:{args.port}/ (Ctrl+C để dừng)")
        return _serve(argv, {**os.environ, **env})
    elif args.command == "certificates":
        res = api.certificates(workspace=args.dir, out=args.out, wards=args.ward, lang=lang)
        n = len(res["certificates"])
        print(f"Đã cấp {n} giấy chứng nhận, {len(res['files'])} tệp đơn vị trong {res['out']}"
              if lang == "vi" else
              f"{n} certificates, {len(res['files'])} commune files in {res['out']}")
        for path in res["files"]:
            print(f"  {path}")
    elif args.command == "verify":
        row = api.verify_certificate(workspace=args.dir, code=args.code)
        verdict = ("HỢP LỆ" if row["valid"] else "KHÔNG HỢP LỆ (mã không khớp sổ)") \
            if lang == "vi" else ("VALID" if row["valid"] else "NOT VALID")
        print(f"{row['code']}: {verdict}")
        print(f"  Số {row['serial']} — {row['full_name']} ({row['position']}, {row['ward_name']})")
        print(f"  Mảng: {row['track_title']} — hoàn thành {row['completed_on']}")
        return 0 if row["valid"] else 1
    elif args.command == "retake":
        opened = api.open_retake(workspace=args.dir, module=args.module)
        print(f"Đã mở lần làm bài mới cho {len(opened)} học viên" if lang == "vi" else
              f"New attempt opened for {len(opened)} learners")
        for row in opened.itertuples(index=False):
            print(f"  {row[0]}: lần {row[2]}")
    elif args.command == "cham-tay":
        argv, env = api.grading_page(workspace=args.dir, port=args.port, who=args.who)
        print(f"Mở trình duyệt tại http://127.0.0.1:{args.port}/ (Ctrl+C để dừng)")
        return _serve(argv, {**os.environ, **env})
    elif args.command == "hoc":
        argv, env, url = api.learner_home(workspace=args.dir, learner=args.learner,
                                          home=args.home, port=args.port)
        print(f"Mở trình duyệt tại / open: {url} (Ctrl+C để dừng)")
        return _serve(argv, {**os.environ, **env})
    elif args.command == "formgrader":
        argv, url, folder = api.formgrader(workspace=args.dir, port=args.port)
        print(f"Mở trình duyệt tại / open: {url}")
        return _serve(argv, dict(os.environ), cwd=folder)
    elif args.command == "demo":
        result = api.demo(out=args.out, manifest=args.manifest, jobs=args.jobs, say=print)
        print()
        print(api.format_table(frame=result["per_ward"], module_titles=result["titles"]))
        print()
        print(f"Báo cáo Excel: {result['xlsx']}")
        print(f"Báo cáo HTML:  {result['html']}")
        print(f"Giấy chứng nhận: {len(result['certificates'])} giấy cho người hoàn thành một "
              f"mảng, {len(result['certificate_files'])} tệp in theo đơn vị trong "
              f"{result['certificates_dir']} (kiểm tra: congvu verify MÃ --dir {args.out})")
    elif args.command == "doctor":
        found = api.doctor(workspace=args.dir, fix=args.fix)
        for item in found:
            print(item.render(lang))
        if not found:
            print("Quyền truy cập đúng." if lang == "vi" else "Permissions are correct.")
        return 1 if found else 0
    elif args.command == "hub":
        res = api.hub_sync(workspace=args.dir, staff=args.staff, url=args.url,
                           reissue=args.reissue, os_accounts=not args.no_os_accounts)
        en = lang == "en"
        print((f"Hub accounts: {res['active']} active, {res['disabled']} disabled; "
               f"OS accounts created: {len(res['created'])}; new first-login codes: "
               f"{res['new_codes']}") if en else
              (f"Tài khoản hub: {res['active']} đang dùng, {res['disabled']} đã khóa; tài khoản "
               f"máy mới: {len(res['created'])}; mã đăng nhập lần đầu mới: {res['new_codes']}"))
        if res["sheet"]:
            print(("First-login sheet (print, hand out, then delete): " if en else
                   "Phiếu đăng nhập lần đầu (in, phát, rồi xóa tệp): ") + str(res["sheet"]))
    return 0


def _import_roster(args):
    """Import; when many officials would be marked as leavers, ask (on a terminal) or stop."""
    from grading import api
    from grading.roster.importer import LeaversNeedConfirmation

    def run(yes: bool):
        return api.import_roster(workspace=args.dir, file=args.file, units=args.units,
                                 add_only=args.add_only, sheet=args.sheet, yes=yes)

    try:
        return run(args.yes)
    except LeaversNeedConfirmation as exc:
        if not sys.stdin.isatty():
            raise
        print(exc.render(args.lang), file=sys.stderr)
        answer = input("Vẫn nhập và ghi họ là đã rời? [c/K] " if args.lang == "vi" else
                       "Import anyway and mark them as leavers? [y/N] ")
        if answer.strip().casefold() not in ("c", "có", "co", "y", "yes"):
            raise
        return run(True)


def _serve(argv: list[str], env: dict[str, str], cwd: Path | None = None) -> int:
    """Run a server in the foreground until Ctrl+C (or SIGTERM), then stop it."""
    import signal
    import subprocess

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # run the finally below
    proc = subprocess.Popen(argv, env=env, cwd=cwd)
    try:
        return proc.wait()
    except KeyboardInterrupt:  # Ctrl + C reached the server too; it stops its kernels
        return proc.wait()
    finally:
        if proc.poll() is None:
            proc.terminate()
            proc.wait(timeout=30)


PRINTED = 60  # wards printed on the terminal


def _print_report(result: dict, lang: str) -> None:
    from grading import api

    shown = result["per_ward"]
    print(api.format_table(frame=shown.head(PRINTED), lang=lang,
                           module_titles=result["titles"]))
    if len(shown) > PRINTED:
        print(f"… {len(shown) - PRINTED} " + ("đơn vị khác: xem report.xlsx" if lang == "vi"
                                                 else "more wards: see report.xlsx"))
    for path in result["paths"].values():
        print(path)
    for path in result.get("docx", []):
        print(path)
    if "split" in result:
        print(f"{len(result['split']) // 2} " + ("đơn vị" if lang == "vi" else "wards") +
              f": {result['split_dir']}")


def _print_status(status, lang: str) -> None:
    from grading.status import label

    if status.empty:
        print("Chưa có bài nào được chấm." if lang == "vi" else "Nothing graded yet.")
        return
    waiting = ("chờ chấm tự luận" if lang == "vi" else "free text awaiting the trainer")
    for row in status.itertuples():
        state = label(row.status, lang)
        if getattr(row, "awaiting_grading", False):
            state = f"{state}, {waiting}"
        print(f"{row.module_id}\t{row.learner_id}\t{state}\t{row.reason}")
    counts = status["status"].map(lambda s: label(s, lang)).value_counts()
    print(", ".join(f"{k}: {v}" for k, v in counts.items()))


class _Stderr(logging.StreamHandler):
    """A handler that writes to whatever ``sys.stderr`` is when a record comes (main() may run
    many times in one process, e.g. under a test runner that swaps stderr)."""

    @property
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, value) -> None:
        pass


def _logging(verbose: int, quiet: bool) -> None:
    """The kit's logger "congvu" on stderr: warnings by default, -v info, -vv debug."""
    level = logging.ERROR if quiet else (logging.WARNING, logging.INFO)[min(verbose, 1)] \
        if verbose < 2 else logging.DEBUG
    handler = _Stderr()
    handler.setFormatter(logging.Formatter("%(message)s"))
    log = logging.getLogger("congvu")
    log.handlers[:] = [handler]
    log.setLevel(level)
    log.propagate = False


def _os_error(exc: OSError, lang: str) -> str:
    """A file the system refused, named, with the fix."""
    import errno

    name = exc.filename or ""
    vi, en = {errno.EACCES: ("không có quyền đọc/ghi", "permission denied"),
              errno.EPERM: ("không có quyền đọc/ghi", "permission denied"),
              errno.EROFS: ("ổ đĩa chỉ đọc", "read-only file system"),
              errno.ENOSPC: ("ổ đĩa đầy", "disk full"),
              errno.EEXIST: ("đã có một tệp trùng tên", "a file of that name exists"),
              errno.ENOTDIR: ("đây là tệp, không phải thư mục", "not a folder"),
              errno.ENOENT: ("không tìm thấy", "not found")}.get(
        exc.errno, (exc.strerror or str(exc), exc.strerror or str(exc)))
    if lang == "en":
        return f"{name}: {en} — choose another file or folder, or fix its permissions"
    return f"{name}: {vi} — chọn tệp hoặc thư mục khác, hoặc sửa quyền truy cập"


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    args = _parser(_language(argv)).parse_args(argv)
    _logging(args.verbose, args.quiet)
    log = logging.getLogger("congvu")
    try:
        from sqlalchemy.exc import SAWarning

        warnings.filterwarnings("ignore", category=SAWarning)  # nbgrader's ORM, not ours
        return _run(args)
    except KitError as exc:
        log.debug("details", exc_info=True)
        print(exc.render(args.lang), file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("Đã dừng." if args.lang == "vi" else "Stopped.", file=sys.stderr)
        return 130
    except Exception as exc:  # disk full, database down, …: a message, not a traceback
        from grading.course.faults import explain

        error = explain(exc, getattr(args, "dir", None))
        log.info("details", exc_info=True)  # -v shows the traceback
        if error is not None:
            print(error.render(args.lang), file=sys.stderr)
            return 2
        if isinstance(exc, OSError):
            print(_os_error(exc, args.lang), file=sys.stderr)
            return 2
        print((f"Lỗi ngoài dự kiến: {type(exc).__name__}: {exc} — chạy lại với -vv để xem chi "
               "tiết và báo cho người quản trị") if args.lang == "vi" else
              (f"Unexpected error: {type(exc).__name__}: {exc} — run again with -vv for the "
               "details and tell the administrator"), file=sys.stderr)
        return 3


if __name__ == "__main__":
    sys.exit(main())
