# Two commands on a fresh machine with Python 3.11+:  make demo   and   make test
PYTHON ?= python3
VENV   := .venv
BIN    := $(abspath $(VENV))/bin
STAMP  := $(VENV)/.installed
# nbgrader shells out to tools of the venv (alembic): keep its bin first on PATH.
export PATH := $(BIN):$(PATH)

.PHONY: demo test test-fast clean help

help:
	@echo "make demo   - cài đặt (.venv) và chạy toàn bộ quy trình mẫu vào out/demo/"
	@echo "make test   - cài đặt (.venv) và chạy toàn bộ kiểm thử"

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

test-fast: $(STAMP)
	$(BIN)/python -m pytest -m "not slow"

clean:
	rm -rf out .pytest_cache test-output
