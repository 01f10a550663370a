"""The kit's fixes to JupyterLab's Vietnamese: a Jupyter server extension of the learner's lab.

The vi-VN language pack (jupyterlab-language-pack-vi-VN 4.5) translates about 540 of
JupyterLab 4.6's strings, so menus said "Run All Cells" under "Chạy" and the help listed
English commands. jupyterlab_server cannot merge a package's own locale data into this pack
(its merge compares versions, and the pack's version field reads "jupyterlab"), so this
extension answers ``/lab/api/translations/vi_VN`` itself: the language pack exactly as
JupyterLab serves it, with the kit's strings (``templates/lab/vi_VN.json``: domain → English
message → Vietnamese, or [singular, plural]) laid over it. Other locales go to JupyterLab's own handler.
Enabled by ``lab.write_config`` (``jpserver_extensions``).
"""
from __future__ import annotations

import json
from pathlib import Path

from jupyter_server.base.handlers import APIHandler
from tornado import web

LOCALE = "vi_VN"
OVERRIDES = Path(__file__).resolve().parent / "templates" / "lab" / f"{LOCALE}.json"


def kit_strings() -> dict[str, dict[str, str]]:
    """The kit's translations, domain → {English message: Vietnamese}."""
    return json.loads(OVERRIDES.read_text(encoding="utf-8"))


def translations(locale: str = LOCALE) -> tuple[dict, str]:
    """The language pack's data for ``locale`` (as JupyterLab serves it) with the kit's
    strings over it; (data, message) like ``jupyterlab_server.get_language_pack``."""
    from jupyterlab_server.translation_utils import get_language_pack

    data, message = get_language_pack(locale)
    if locale == LOCALE and data:
        for domain, strings in kit_strings().items():
            bundle = data.setdefault(domain, {"": {"domain": domain, "language": "vi-VN",
                                                   "plural_forms": "nplurals=1; plural=0;"}})
            # a list is [singular, plural] (JupyterLab looks plurals up with two forms)
            bundle.update({msgid: [text] if isinstance(text, str) else list(text)
                           for msgid, text in strings.items()})
    return data, message


class TranslationsHandler(APIHandler):
    """``GET /lab/api/translations/vi_VN``, answered as JupyterLab's handler would."""

    @web.authenticated
    async def get(self, locale: str) -> None:
        from jupyterlab_server.translation_utils import translator
        from tornado.ioloop import IOLoop

        data, message = await IOLoop.current().run_in_executor(None, translations, locale)
        if data:
            translator.set_locale(locale)  # server-side strings (settings schemas) too
        self.finish(json.dumps({"data": data, "message": message}))


def _jupyter_server_extension_points():
    return [{"module": "grading.learner.lab_i18n"}]


def _load_jupyter_server_extension(serverapp) -> None:
    from jupyter_server.utils import url_path_join

    app = serverapp.web_app
    route = url_path_join(app.settings["base_url"], "lab/api/translations",
                          f"(?P<locale>{LOCALE})")
    app.add_handlers(".*$", [(route, TranslationsHandler)])
    # Tornado tries host rules in order: ours must come before JupyterLab's translations
    # route (which would answer vi_VN too), whichever extension loaded first.
    rules = app.default_router.rules
    mine = next(r for r in rules if any(getattr(x, "target", None) is TranslationsHandler
                                        for x in getattr(r.target, "rules", ())))
    rules.remove(mine)
    rules.insert(0, mine)
    serverapp.log.info("congvu: Vietnamese fixes for JupyterLab (%d strings)",
                       sum(len(s) for s in kit_strings().values()))
