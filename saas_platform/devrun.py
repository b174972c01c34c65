"""``make run``: migrate, seed, then web + Celery worker + beat until Ctrl-C.

Run through ``saas_platform.devservices`` so that DATABASE_URL / REDIS_URL point at the
embedded servers when the environment does not name others.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

PY = sys.executable
PORT = os.environ.get("PORT", "8000")
BASE = os.environ.get("BASE_DOMAIN", "localhost")


def _manage(*args: str) -> None:
    subprocess.run([PY, "manage.py", *args], check=True)


def main() -> int:
    os.environ.setdefault("DJANGO_DEBUG", "1")
    os.environ.setdefault("PUBLIC_PORT", PORT)
    os.environ.setdefault("ACCOUNT_EMAIL_VERIFICATION", "optional")
    _manage("migrate_schemas", "--noinput")
    _manage("pool_fill", "--size", "2")
    _manage("seed_demo")
    processes = [
        subprocess.Popen([PY, "manage.py", "runserver", f"0.0.0.0:{PORT}"]),
        subprocess.Popen([PY, "-m", "celery", "-A", "saas_platform", "worker", "-l", "info", "-c", "2"]),
        subprocess.Popen([PY, "-m", "celery", "-A", "saas_platform", "beat", "-l", "info",
                          "-s", "var/celerybeat-schedule"]),
    ]
    print(
        f"\n  Public site:     http://{BASE}:{PORT}/\n"
        f"  Vendor console:  http://{BASE}:{PORT}/console/\n"
        f"  Demo workspace:  http://demo.{BASE}:{PORT}/\n"
        "  Logins are listed above (vendor / owner / member). Ctrl-C stops everything.\n",
        flush=True,
    )
    try:
        while all(process.poll() is None for process in processes):
            time.sleep(0.5)
    except KeyboardInterrupt:
        pass
    finally:
        for process in processes:
            if process.poll() is None:
                process.send_signal(signal.SIGINT)
        for process in processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
    return 0


if __name__ == "__main__":
    sys.exit(main())
