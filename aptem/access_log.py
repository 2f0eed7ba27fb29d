"""gunicorn's logs as JSON lines, like the application's (``--logger-class``). Imported by the
gunicorn master before Django starts, so it uses nothing of Django."""

import logging
import sys
from datetime import timedelta
from typing import Any

from gunicorn.glogging import Logger
from pythonjsonlogger.json import JsonFormatter

FIELDS = "%(asctime)s %(levelname)s %(name)s %(message)s"
RENAMED = {"asctime": "time", "levelname": "level", "name": "logger"}


class JsonLogger(Logger):
    """One JSON object per access (method, path, status, duration, request id) and per
    server message."""

    def setup(self, cfg: Any) -> None:
        super().setup(cfg)
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(JsonFormatter(FIELDS, rename_fields=RENAMED))
        for log in (self.error_log, self.access_log):
            log.handlers = [handler]
            log.propagate = False
        self.access_log.setLevel(logging.INFO)

    def access(self, resp: Any, req: Any, environ: dict, request_time: timedelta) -> None:
        headers = dict(resp.headers or ())
        request_id = next(
            (value for name, value in headers.items() if name.lower() == "x-request-id"), "-"
        )
        self.access_log.info(
            "request",
            extra={
                "method": req.method,
                "path": req.path,
                "status": int(str(resp.status).split()[0]),
                "bytes": getattr(resp, "sent", None),
                "duration_ms": round(request_time.total_seconds() * 1000, 1),
                "remote": environ.get("REMOTE_ADDR", ""),
                "request_id": request_id,
            },
        )
