"""The dashboard: seven pages served by the API app at ``/``, charted with bundled Apache ECharts.

Pages are static HTML shells (``pages``); their scripts (``static/*.js``) call the v1 API.
``mount`` adds the pages and the static assets to an app.
"""

from meterlake.web.routes import mount

__all__ = ["mount"]
