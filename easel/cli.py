"""The `easel` command (the `easel` script: pyproject's [project.scripts]).

    easel serve                 API + in-process worker on one machine (the embedded default), and the studio at /
    easel api                   API node only; jobs go to Celery workers through EASEL_BROKER_URL
    easel worker [--model M]    a Celery worker serving one model's queue
    easel migrate               wait for the database, then apply the migrations (and for an S3 store: its bucket)
    easel keys create|list|show|update|revoke   roles, expiry, limits, disable/suspend
    easel invites create|list|revoke            invitation codes for a tier
    easel usage                 images and requests per bucket, from the job rows
    easel rejections            the content policy's recorded refusals (the review queue)
"""

from __future__ import annotations

import argparse
import os

from core.config import Settings, get_settings
from core.db import migrate, sessionmaker_for
from easel import admin_commands


def ensure_first_key(settings: Settings) -> None:
    """On the first start, make an API key and say where it is kept, so nobody has to read a manual first."""
    from sqlalchemy import func, select

    from core import keys
    from core.tables import ApiKey

    key_file = settings.data_dir / "api_key"
    with sessionmaker_for(settings)() as session:
        if session.scalar(select(func.count()).select_from(ApiKey)) == 0:
            # The operator's own key: an admin, so the admin endpoints work from the first start.
            _, secret = keys.create_api_key(session, "default", role="admin")
            key_file.write_text(secret + "\n")
            os.chmod(key_file, 0o600)
            print(f"Created your first API key (kept in {key_file.resolve()}):\n\n    {secret}\n", flush=True)
        elif key_file.exists():
            print(f"API key: {key_file.read_text().strip()}  (kept in {key_file.resolve()})", flush=True)
        else:
            print("API keys: see `easel keys list`; make one with `easel keys create NAME`.", flush=True)


def print_sign_in_link(settings: Settings) -> None:
    """A one-time link into the studio (as Jupyter prints its token link): single use, expiring in minutes.
    It signs in as the key kept in data_dir, else the oldest active key."""
    from sqlalchemy import select

    from core import keys, studio
    from core.tables import ApiKey

    key_file = settings.data_dir / "api_key"
    with sessionmaker_for(settings)() as session:
        key = keys.find_api_key(session, key_file.read_text().strip()) if key_file.exists() else None
        if key is None:
            key = session.scalar(
                select(ApiKey).where(ApiKey.revoked_at.is_(None)).order_by(ApiKey.created_at).limit(1)
            )
        if key is None:
            return
        token = studio.create_sign_in_link(session, key)
    host = "127.0.0.1" if settings.host in ("0.0.0.0", "::", "") else settings.host  # a wildcard bind is not an address to open
    base = settings.public_base_url.rstrip("/") or f"http://{host}:{settings.port}"
    print(
        f"Open the studio (this link signs you in once, within {studio.SIGN_IN_LINK_MINUTES} minutes):\n\n"
        f"    {base}/studio/sign-in?token={token}\n",
        flush=True,
    )


def serve(settings: Settings, embedded: bool) -> None:
    import uvicorn

    from core.logs import configure_logging
    from easel.assembly import create_app

    if embedded:
        settings = settings.model_copy(update={"broker_url": ""})
    elif not settings.broker_url:
        raise SystemExit("`easel api` needs EASEL_BROKER_URL (Redis); use `easel serve` for the embedded mode.")
    configure_logging()
    migrate(settings)
    ensure_first_key(settings)
    print_sign_in_link(settings)
    print(f"Easel serves on http://{settings.host}:{settings.port}/v1", flush=True)
    # A synchronous request waits as long as its job; on SIGTERM, stop after 10 s rather than after the
    # longest wait (up to the sync timeout). Its job stays recorded and the SDK's retry attaches to it.
    uvicorn.run(
        create_app(settings), host=settings.host, port=settings.port, log_level="warning",
        timeout_graceful_shutdown=10,
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="easel", description="Self-hosted DALL·E 2 Images API")
    sub = parser.add_subparsers(dest="command", required=True)
    for name, help_text in (("serve", "API and an in-process worker (embedded default)"), ("api", "API node only")):
        p = sub.add_parser(name, help=help_text)
        p.add_argument("--host", help="address to bind (default 127.0.0.1, EASEL_HOST)")
        p.add_argument("--port", type=int, help="port (default 8000, EASEL_PORT)")
    p = sub.add_parser("worker", help="Celery worker for one model's queue")
    p.add_argument("--model", help="model to serve (default: the deployment's default model)")
    p.add_argument("--concurrency", type=int, default=1)
    sub.add_parser("migrate", help="wait for the database and apply migrations")
    admin_commands.add_parsers(sub)
    args = parser.parse_args(argv)

    settings = get_settings()
    overrides = {k: getattr(args, k) for k in ("host", "port") if getattr(args, k, None) is not None}
    if overrides:
        settings = settings.model_copy(update=overrides)
    if args.command in ("serve", "api"):
        serve(settings, embedded=args.command == "serve")
    elif args.command == "worker":
        from worker.celery_app import run_worker

        run_worker(settings, model=args.model, concurrency=args.concurrency)
    elif args.command == "migrate":
        from core.storage import ensure_storage

        migrate(settings)
        print("database is at the latest migration")
        ensure_storage(settings)
    else:
        admin_commands.COMMANDS[args.command](settings, args)


if __name__ == "__main__":
    main()
