# Two commands on a fresh machine with Python 3.11+:  make demo   and   make test
PYTHON ?= python3
VENV   := .venv
BIN    := $(abspath $(VENV))/bin
# .installed-2: the venv lost rfc3987-syntax (see the recipe)
STAMP  := $(VENV)/.installed-2
# nbgrader shells out to tools of the venv (alembic): keep its bin first on PATH.
export PATH := $(BIN):$(PATH)
# Fast subset: what needs no kernel, browser, root, database server, cluster or hub.
FAST   := not (kernel or browser or root or postgres or cluster or hub)

.PHONY: demo test test-fast lint lab dashboard lock clean help hub hub-env

help:
	@echo "make demo      - cài đặt (.venv) và chạy toàn bộ quy trình mẫu vào out/demo/"
	@echo "make test      - cài đặt (.venv) và chạy toàn bộ kiểm thử (kèm ruff)"
	@echo "make test-fast - chỉ các kiểm thử nhanh (không kernel, trình duyệt, root, máy chủ)"
	@echo "make lab       - JupyterLab tiếng Việt cho học viên (WS=thư mục làm việc, LEARNER=mã)"
	@echo "make dashboard - bảng điều khiển cho phòng Nội vụ (Voila; WS=thư mục làm việc, PORT=8866)"
	@echo "make lock      - ghi lại constraints.txt từ môi trường hiện tại"
	@echo "make hub       - JupyterHub cho cả tỉnh trên một máy (root; WS=thư mục làm việc, HUB_PORT=8000)"

# Every package pinned by constraints.txt (the lock file); extras: see pyproject.toml.
$(STAMP): pyproject.toml constraints.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "congvu cần Python 3.11 trở lên")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[all,test]'
	# jsonschema imports rfc3987-syntax when present, and it builds a Lark grammar at each
	# import: 1 CPU-second of every grading worker, nbgrader command and server start.
	# Without it jsonschema only skips the "iri" format check, which nothing here uses.
	$(BIN)/python -m pip uninstall --yes --quiet rfc3987-syntax
	touch $@

demo: $(STAMP)
	$(BIN)/congvu demo --out out/demo

test: $(STAMP) lint
	$(BIN)/python -m pytest --durations=30

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

# JupyterHub on one machine (grading/learner/hub_config.py, deploy/jupyterhub_config.py).
# Learners' servers run as their own OS accounts, which cannot read /root: the hub gets its own
# venv from Debian's python3 (readable by every account), same lock file, and the proxy
# configurable-http-proxy from the npm registry into .hub/node_modules.
# make hub  |  make hub WS=path HUB_PORT=8000 HUB_IP=127.0.0.1 HUB_STAFF=can_bo_quan_ly.csv
HUB_PYTHON ?= /usr/bin/python3
HUB_DIR    := $(abspath .hub)
HUB_BIN    := $(HUB_DIR)/venv/bin
# .installed-2: the hub venv gained voila (the dashboard service) and lost rfc3987-syntax
HUB_STAMP  := $(HUB_DIR)/venv/.installed-2
CHP_VERSION := 5.3.0
CHP        := $(HUB_DIR)/node_modules/.bin/configurable-http-proxy
HUB_PORT   ?= 8000
HUB_IP     ?= 127.0.0.1

# Debian 12's python3 is 3.11.2: soupsieve (nbconvert's HTML parser) 4.x needs 3.11.5, so the
# hub venv takes the lock file with soupsieve at 2.10, the newest release for 3.11.2.
HUB_SOUPSIEVE := 2.10

$(HUB_STAMP): pyproject.toml constraints.txt
	$(HUB_PYTHON) -m venv $(HUB_DIR)/venv
	$(HUB_BIN)/python -m pip install --quiet --upgrade pip
	sed 's/^soupsieve==.*/soupsieve==$(HUB_SOUPSIEVE)/' constraints.txt > $(HUB_DIR)/constraints.txt
	$(HUB_BIN)/python -m pip install --quiet -c $(HUB_DIR)/constraints.txt -e '.[hub,dashboard]'
	# jsonschema imports rfc3987-syntax (an IRI grammar jupyter-events asks for) when present and
	# it builds a Lark parser at each import (see the main venv above).
	# Without it jsonschema only skips the "iri" format check, which nothing here uses.
	$(HUB_BIN)/python -m pip uninstall --yes --quiet rfc3987-syntax
	chmod -R a+rX $(HUB_DIR)
	touch $@

$(CHP):
	npm install --silent --no-audit --no-fund --prefix $(HUB_DIR) configurable-http-proxy@$(CHP_VERSION)
	chmod -R a+rX $(HUB_DIR)

hub-env: $(HUB_STAMP) $(CHP)

hub: $(STAMP) hub-env
	@if [ "$(WS)" = out/demo ] && [ ! -f out/demo/nbgrader_config.py ]; then $(MAKE) demo; fi
	$(HUB_BIN)/congvu hub sync $(WS) --url http://$(HUB_IP):$(HUB_PORT)/ $(if $(HUB_STAFF),--staff $(HUB_STAFF))
	CONGVU_WS=$(abspath $(WS)) CONGVU_HUB_PORT=$(HUB_PORT) CONGVU_HUB_IP=$(HUB_IP) \
	  CONGVU_HUB_PROXY=$(CHP) PATH=$(HUB_BIN):$$PATH \
	  $(HUB_BIN)/jupyterhub -f deploy/jupyterhub_config.py
