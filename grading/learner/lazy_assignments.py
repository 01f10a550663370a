"""nbgrader's assignment-list server extension, imported at its first request, not at start.

Importing ``nbgrader.server_extensions.assignment_list`` pulls in nbgrader's apps, converters
and gradebook: about 0.4 CPU-seconds of every learner's server start, paid by fifty learners at
once on a commune's morning. Under the hub (``learner/hub_config.py``) a learner's server loads
this extension instead: the same routes (``/assignments``, ``/assignments/<action>``,
``/courses``, ``/nbgrader_version``) served by nbgrader's own handler methods and its
``AssignmentList`` manager, both imported when a learner first lists, fetches or submits.
"""
from __future__ import annotations

ROUTES = ((r"/assignments", "AssignmentListHandler"),
          (r"/assignments/(?P<action>fetch|submit|fetch_feedback)", "AssignmentActionHandler"),
          (r"/courses", "CourseListHandler"), (r"/nbgrader_version", "NbGraderVersionHandler"))
SERVERAPP = "congvu_serverapp"


def _nbgrader():
    from nbgrader.server_extensions.assignment_list import handlers

    return handlers


def _handler_class():
    from jupyter_server.base.handlers import JupyterHandler

    class LazyAssignments(JupyterHandler):
        """Runs nbgrader's handler method ``name`` on this request."""

        def initialize(self, name: str):
            self.real = name

        @property
        def manager(self):
            settings = self.settings
            if "assignment_list_manager" not in settings:
                app = settings[SERVERAPP]
                manager = _nbgrader().AssignmentList(parent=app)
                manager.root_dir = app.root_dir
                settings["assignment_list_manager"] = manager
            return settings["assignment_list_manager"]

        def get(self, *args, **kwargs):
            return getattr(_nbgrader(), self.real).get(self, *args, **kwargs)

        def post(self, *args, **kwargs):
            return getattr(_nbgrader(), self.real).post(self, *args, **kwargs)

    return LazyAssignments


def _jupyter_server_extension_points():
    return [{"module": "grading.learner.lazy_assignments"}]


def _load_jupyter_server_extension(serverapp):
    from jupyter_server.utils import url_path_join

    web = serverapp.web_app
    web.settings[SERVERAPP] = serverapp
    handler = _handler_class()
    web.add_handlers(".*$", [(url_path_join(web.settings["base_url"], pattern), handler,
                              {"name": name}) for pattern, name in ROUTES])
