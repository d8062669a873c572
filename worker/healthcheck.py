"""Container health check for a worker: exit 0 if the Celery worker on this host answers a ping.

    python -m worker.healthcheck

The worker's node name ends with @<hostname> (see run_worker), and the ping goes through Redis to the worker's
main process, which answers even while its pool process is busy with a job.
"""

from __future__ import annotations

import socket
import sys

from core.config import get_settings
from worker.celery_app import make_celery


def main() -> int:
    app = make_celery(get_settings())
    host = socket.gethostname()
    try:
        replies = app.control.ping(timeout=3.0)
    except Exception as exc:
        print(f"unhealthy: broker unreachable: {exc}", file=sys.stderr)
        return 1
    names = [name for reply in replies for name in reply]
    if any(name.endswith("@" + host) for name in names):
        return 0
    print(f"unhealthy: no worker on {host} answered (answered: {names})", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
