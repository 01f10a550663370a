"""Column names of the kit's tidy tables, defined once, with their Vietnamese/English headers."""
from __future__ import annotations

# Roster file columns (as HR writes them).
R_ID, R_NAME, R_WARD_CODE, R_WARD_NAME, R_POSITION = (
    "ma_can_bo", "ho_ten", "ma_don_vi", "ten_don_vi", "chuc_vu")
ROSTER_COLUMNS = (R_ID, R_NAME, R_WARD_CODE, R_WARD_NAME, R_POSITION)
# Optional roster columns, used only to pick the right unit (never stored).
R_DISTRICT, R_PROVINCE = "huyen_cu", "tinh"

# Tidy tables.
LEARNER = "learner_id"
NAME = "full_name"
WARD_CODE = "ward_code"
WARD_NAME = "ward_name"
POSITION = "position"
MODULE = "module_id"
MODULE_TITLE = "module_title"
TRACK = "track"
NOTEBOOK = "notebook"
ITEM = "item_id"
SCORE = "score"
MAX_SCORE = "max_score"
NEEDS_MANUAL = "needs_manual_grade"
TIMESTAMP = "timestamp"
DUEDATE = "duedate"
PENALTY = "late_penalty"
PASS_MARK = "pass_mark"
REQUIRED = "required"
SUBMITTED = "submitted"
PERCENT = "percent"
PASSED = "passed"
PENDING = "pending_manual"
STATUS = "status"
REASON = "reason"
JOINED = "joined_on"       # date the learner first appeared in an imported roster
LEFT = "left_on"           # date the learner disappeared from a full re-import ("" = active)
ACTIVE = "active"
STARTED = "started"
DUE = "due"                # effective deadline of a learner for a module
OVERDUE = "overdue"
DAYS_LATE = "days_late"
MISSING = "missing_modules"
DATE = "date"

# Aggregates.
ENROLLED = "enrolled"
N_SUBMITTED = "n_submitted"
N_PASSED = "n_passed"
N_COMPLETED = "n_completed"
COMPLETION_RATE = "completion_rate"
PASS_RATE = "pass_rate"
MEAN_SCORE = "mean_percent"
MEDIAN_SCORE = "median_percent"
N_STARTED = "n_started"
N_OVERDUE = "n_overdue"
MEAN_DAYS_LATE = "mean_days_late"
N_LEFT = "n_left"
N_JOINED = "n_joined"
SUBMIT_RATE = "submit_rate"
CUM_COMPLETED = "cum_completed"
# National roll-up (report --merge).
PROVINCE = "province"
COUNTED_IN = "counted_in"
# Fair states: free text awaiting the trainer is neither failed nor overdue.
AWAITING = "awaiting_grading"      # submitted, some item not graded yet by the trainer
PROVISIONAL = "provisional_pass"   # awaiting, and the automatic marks alone reach the pass mark
N_AWAITING = "n_awaiting"
# Retakes and item pools: the attempt that counts, and the pool items a learner was given.
ATTEMPT = "attempt"                # 1 = the module itself, N = assignment <module>__lanN
N_ATTEMPTS = "n_attempts"
N_RETOOK = "n_retook"
POOL = "pool"
SLOT = "slot"
DRAWN = "drawn_items"              # per (learner, module): "p1: c5, c7; p2: c9"

HEADERS = {
    LEARNER: ("Mã cán bộ", "Learner ID"),
    NAME: ("Họ và tên", "Full name"),
    WARD_CODE: ("Mã đơn vị", "Commune code"),
    WARD_NAME: ("Đơn vị (xã/phường/đặc khu)", "Commune/ward"),
    POSITION: ("Chức vụ", "Position"),
    MODULE: ("Mã học phần", "Module ID"),
    MODULE_TITLE: ("Học phần", "Module"),
    TRACK: ("Mảng", "Track"),
    NOTEBOOK: ("Notebook", "Notebook"),
    ITEM: ("Câu", "Item"),
    SCORE: ("Điểm", "Score"),
    MAX_SCORE: ("Điểm tối đa", "Max score"),
    NEEDS_MANUAL: ("Cần chấm tay", "Needs manual grading"),
    TIMESTAMP: ("Thời điểm nộp", "Submitted at"),
    DUEDATE: ("Hạn nộp", "Due date"),
    PENALTY: ("Trừ điểm nộp muộn", "Late penalty"),
    PASS_MARK: ("Ngưỡng đạt (%)", "Pass mark (%)"),
    REQUIRED: ("Bắt buộc", "Required"),
    SUBMITTED: ("Đã nộp", "Submitted"),
    PERCENT: ("Tỷ lệ điểm (%)", "Score (%)"),
    PASSED: ("Đạt", "Passed"),
    PENDING: ("Chờ chấm tay", "Awaiting manual grading"),
    STATUS: ("Trạng thái chấm", "Grading status"),
    REASON: ("Lý do", "Reason"),
    ENROLLED: ("Số cán bộ", "Enrolled"),
    N_SUBMITTED: ("Đã nộp bài", "Submitted"),
    N_PASSED: ("Đạt", "Passed"),
    N_COMPLETED: ("Hoàn thành", "Completed"),
    COMPLETION_RATE: ("Tỷ lệ hoàn thành (%)", "Completion rate (%)"),
    PASS_RATE: ("Tỷ lệ đạt (%)", "Pass rate (%)"),
    MEAN_SCORE: ("Điểm trung bình (%)", "Mean score (%)"),
    MEDIAN_SCORE: ("Điểm trung vị (%)", "Median score (%)"),
    JOINED: ("Ngày vào danh sách", "Joined on"),
    LEFT: ("Ngày rời danh sách", "Left on"),
    STARTED: ("Đã bắt đầu", "Started"),
    DUE: ("Hạn hoàn thành", "Due"),
    OVERDUE: ("Quá hạn", "Overdue"),
    DAYS_LATE: ("Số ngày trễ", "Days late"),
    MISSING: ("Học phần còn thiếu", "Modules still to pass"),
    DATE: ("Ngày", "Date"),
    N_STARTED: ("Đã bắt đầu", "Started"),
    N_OVERDUE: ("Quá hạn", "Overdue"),
    MEAN_DAYS_LATE: ("Số ngày trễ trung bình", "Mean days late"),
    N_LEFT: ("Đã rời (không tính)", "Left (not counted)"),
    N_JOINED: ("Vào giữa khóa", "Joined mid-course"),
    SUBMIT_RATE: ("Tỷ lệ đã nộp đủ (%)", "Submitted all (%)"),
    CUM_COMPLETED: ("Số hoàn thành cộng dồn", "Completed (cumulative)"),
    PROVINCE: ("Tỉnh/thành phố", "Province"),
    COUNTED_IN: ("Được tính ở", "Counted in"),
    AWAITING: ("Chờ chấm", "Awaiting grading"),
    PROVISIONAL: ("Đạt tạm (chờ chấm)", "Provisional pass (awaiting grading)"),
    N_AWAITING: ("Chờ chấm", "Awaiting grading"),
    ATTEMPT: ("Lần làm bài được tính", "Attempt counted"),
    N_ATTEMPTS: ("Số lần làm bài", "Attempts"),
    N_RETOOK: ("Số người làm lại", "Learners who retook"),
    POOL: ("Phần rút câu", "Pool"),
    SLOT: ("Thứ tự câu trong phần", "Slot"),
    DRAWN: ("Câu được rút (theo phần)", "Items drawn (by pool)"),
}


def header(column: str, lang: str = "vi") -> str:
    """The display header of a column; per-module columns fall back to their own name."""
    vi, en = HEADERS.get(column, (column, column))
    return en if lang == "en" else vi


def rename(frame, lang: str = "vi"):
    """A copy of ``frame`` with display headers."""
    return frame.rename(columns={c: header(c, lang) for c in frame.columns})

# A grading row done without isolation (`congvu grade --no-sandbox`): the ledger's flag.
UNSANDBOXED = "unsandboxed"
HEADERS[UNSANDBOXED] = ("Chấm không cách ly", "Graded without isolation")
