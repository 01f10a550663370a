# Two commands on a fresh machine with Python 3.11+:  make demo   and   make test
PYTHON ?= python3
VENV   := .venv
BIN    := $(abspath $(VENV))/bin
STAMP  := $(VENV)/.installed
# nbgrader shells out to tools of the venv (alembic): keep its bin first on PATH.
export PATH := $(BIN):$(PATH)
# Fast subset: what needs no kernel, browser, root, database server, cluster or hub.
FAST   := not (kernel or browser or root or postgres or cluster or hub)

.PHONY: demo test test-fast lint lab dashboard lock clean help

help:
	@echo "make demo      - cài đặt (.venv) và chạy toàn bộ quy trình mẫu vào out/demo/"
	@echo "make test      - cài đặt (.venv) và chạy toàn bộ kiểm thử (kèm ruff)"
	@echo "make test-fast - chỉ các kiểm thử nhanh (không kernel, trình duyệt, root, máy chủ)"
	@echo "make lab       - JupyterLab tiếng Việt cho học viên (WS=thư mục làm việc, LEARNER=mã)"
	@echo "make dashboard - bảng điều khiển cho phòng Nội vụ (Voila; WS=thư mục làm việc, PORT=8866)"
	@echo "make lock      - ghi lại constraints.txt từ môi trường hiện tại"

# Every package pinned by constraints.txt (the lock file); extras: see pyproject.toml.
$(STAMP): pyproject.toml constraints.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "congvu cần Python 3.11 trở lên")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[all,test]'
	touch $@

demo: $(STAMP)
	$(BIN)/congvu demo --out out/demo

test: $(STAMP) lint
	$(BIN)/python -m pytest

test-fast: $(STAMP)
	$(BIN)/python -m pytest -m "$(FAST)"

lint: $(STAMP)
	$(BIN)/ruff check .

# JupyterLab for one learner on a workspace's local exchange (congvu lab; grading/learner/lab.py).
# make lab  |  make lab WS=path/to/workspace LEARNER=CB0001
WS ?= out/demo
lab: $(STAMP)
	@if [ "$(WS)" = out/demo ] && [ ! -f out/demo/nbgrader_config.py ]; then $(MAKE) demo; fi
	$(BIN)/congvu lab $(WS) $(if $(LEARNER),--learner $(LEARNER))

# HR dashboard (Voila) over a workspace: make dashboard  |  make dashboard WS=path PORT=8866
PORT ?= 8866
dashboard: $(STAMP)
	@if [ "$(WS)" = out/demo ] && [ ! -f out/demo/nbgrader_config.py ]; then $(MAKE) demo; fi
	$(BIN)/congvu dashboard $(WS) --port $(PORT)

lock: $(STAMP)
	@{ echo "# Lock file: every package of the kit's environment, pinned (make and .ci/run install with -c)."; \
	   echo "# Regenerate after changing pyproject.toml: make lock"; \
	   $(BIN)/python -m pip freeze --exclude-editable | grep -v '^-e\|^congvu' | sort -f; } > constraints.txt.new
	mv constraints.txt.new constraints.txt

clean:
	rm -rf out .pytest_cache test-output
