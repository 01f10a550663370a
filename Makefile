# Two commands on a fresh machine with Python 3.11+:  make demo   and   make test
PYTHON ?= python3
VENV   := .venv
BIN    := $(abspath $(VENV))/bin
STAMP  := $(VENV)/.installed
# nbgrader shells out to tools of the venv (alembic): keep its bin first on PATH.
export PATH := $(BIN):$(PATH)

.PHONY: demo test test-fast lab dashboard clean help

help:
	@echo "make demo   - cài đặt (.venv) và chạy toàn bộ quy trình mẫu vào out/demo/"
	@echo "make test   - cài đặt (.venv) và chạy toàn bộ kiểm thử"
	@echo "make lab    - JupyterLab tiếng Việt cho học viên (WS=thư mục làm việc, LEARNER=mã)"
	@echo "make dashboard - bảng điều khiển cho phòng Nội vụ (Voila; WS=thư mục làm việc, PORT=8866)"

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "congvu cần Python 3.11 trở lên")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

demo: $(STAMP)
	$(BIN)/congvu demo --out out/demo

test: $(STAMP)
	$(BIN)/python -m pytest

# JupyterLab for one learner on a workspace's local exchange (grading/lab.py).
# make lab  |  make lab WS=path/to/workspace LEARNER=CB0001
WS ?= out/demo
lab: $(STAMP)
	@if [ "$(WS)" = out/demo ] && [ ! -f out/demo/nbgrader_config.py ]; then $(MAKE) demo; fi
	$(BIN)/python -m grading.lab $(WS) $(if $(LEARNER),--learner $(LEARNER))

# HR dashboard (Voila) over a workspace: make dashboard  |  make dashboard WS=path PORT=8866
PORT ?= 8866
dashboard: $(STAMP)
	@if [ "$(WS)" = out/demo ] && [ ! -f out/demo/nbgrader_config.py ]; then $(MAKE) demo; fi
	$(BIN)/python -m grading.dashboard $(WS) --port $(PORT)

test-fast: $(STAMP)
	$(BIN)/python -m pytest -m "not slow"

clean:
	rm -rf out .pytest_cache test-output
