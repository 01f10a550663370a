# JupyterHub configuration of `make hub` (one machine; see README "Máy chủ JupyterHub").
# Everything comes from grading/learner/hub_config.py; the environment chooses the workspace,
# where the hub keeps its files, and the ports (loopback unless CONGVU_HUB_IP says otherwise).
#   CONGVU_WS          workspace (default out/demo)      CONGVU_HUB_STATE  hub files (default WS/../hub_state)
#   CONGVU_HUB_IP      address to listen on (127.0.0.1)  CONGVU_HUB_PORT   public port (8000)
#   CONGVU_HUB_CULL_S  idle seconds before a server is stopped (1800)
import os
from pathlib import Path

from grading.learner.hub_config import configure

here = Path(__file__).resolve().parent
ws = Path(os.environ.get("CONGVU_WS", here.parent / "out" / "demo")).resolve()
port = int(os.environ.get("CONGVU_HUB_PORT", "8000"))
configure(
    c,  # noqa: F821 (JupyterHub's config object)
    workspace=ws,
    state=os.environ.get("CONGVU_HUB_STATE", str(ws.parent / (ws.name + "_hub"))),
    ip=os.environ.get("CONGVU_HUB_IP", "127.0.0.1"),
    port=port, api_port=port + 1, hub_port=port + 2, formgrader_port=port + 3,
    report_port=port + 4, dashboard_port=port + 5,
    proxy=os.environ.get("CONGVU_HUB_PROXY",
                         str(here.parent / ".hub" / "node_modules" / ".bin" / "configurable-http-proxy")),
    cull_idle_s=int(os.environ.get("CONGVU_HUB_CULL_S", "1800")),
    templates=here / "templates",
)
