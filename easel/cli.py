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
import sys

from core.config import Settings, get_settings
from core.db import migrate


def _sessions(settings: Settings):
    from core.db import make_engine, make_sessionmaker

    return make_sessionmaker(make_engine(settings.sqlalchemy_url))


def ensure_first_key(settings: Settings) -> None:
    """On the first start, make an API key and say where it is kept, so nobody has to read a manual first."""
    from sqlalchemy import func, select

    from core import keys
    from core.tables import ApiKey

    key_file = settings.data_dir / "api_key"
    with _sessions(settings)() as session:
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
    with _sessions(settings)() as session:
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


def _limit_value(text: str) -> int | None:
    """A limit on the command line: N >= 0 (0 = no limit), or "default" (the tier's or deployment's)."""
    if text == "default":
        return None
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number or 'default': {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError("a limit is >= 0 (0 = no limit)")
    return value


def _print_key(view: dict) -> None:
    import json

    print(json.dumps(view, indent=2, default=str))


def keys_command(settings: Settings, args: argparse.Namespace) -> None:
    from sqlalchemy import select

    from core import operators
    from core.limits import LIMIT_FIELDS
    from core.tables import ApiKey, utcnow

    migrate(settings)
    actor = operators.CLI_ACTOR
    with _sessions(settings)() as session:
        try:
            if args.keys_command == "create":
                expires = utcnow() + operators.parse_duration(args.expires) if args.expires else None
                limits = {name: getattr(args, name) for name in LIMIT_FIELDS}
                key, secret = operators.create_key(
                    session, actor, args.name, settings, role=args.role, tier=args.tier, expires_at=expires, **limits
                )
                print(secret)
                print(f"created {key.id} ({key.name}, {key.role}); the key is shown only now", file=sys.stderr)
            elif args.keys_command == "list":
                for key in session.scalars(select(ApiKey).order_by(ApiKey.created_at)):
                    state = operators.key_status(key)
                    if key.revoked_at:
                        state = f"revoked {key.revoked_at:%Y-%m-%d %H:%M}"
                    print(
                        f"{key.id}  {key.prefix}…  {key.name}  {key.role}  tier={key.tier or '-'}  "
                        f"created {key.created_at:%Y-%m-%d %H:%M}  {state}"
                    )
            elif args.keys_command == "show":
                _print_key(operators.key_view(operators.find_key(session, args.key), settings))
            elif args.keys_command == "update":
                key = operators.find_key(session, args.key)
                changes = {}
                for name in ("name", "role", "tier"):
                    if getattr(args, name) is not None:
                        changes[name] = getattr(args, name)
                for name in LIMIT_FIELDS:
                    if getattr(args, name) is not _UNSET:
                        changes[name] = getattr(args, name)
                if args.expires is not None:
                    changes["expires_at"] = (
                        None if args.expires == "never" else utcnow() + operators.parse_duration(args.expires)
                    )
                if changes:
                    operators.update_key(session, actor, key, settings, **changes)
                if args.disable or args.enable:
                    operators.set_disabled(session, actor, key, disabled=args.disable)
                if args.suspend:
                    operators.suspend_key(session, actor, key, args.suspend)
                if args.reinstate:
                    operators.reinstate_key(session, actor, key)
                _print_key(operators.key_view(key, settings))
            elif args.keys_command == "revoke":
                key = operators.revoke_key(session, actor, operators.find_key(session, args.key))
                print(f"revoked {key.id} ({key.name})")
        except operators.OperatorError as exc:
            raise SystemExit(exc.message) from None


def invites_command(settings: Settings, args: argparse.Namespace) -> None:
    from sqlalchemy import select

    from core import operators

    migrate(settings)
    with _sessions(settings)() as session:
        try:
            if args.invites_command == "create":
                expires = None if args.expires == "never" else operators.parse_duration(args.expires)
                invitation, code = operators.create_invitation(
                    session, operators.CLI_ACTOR, args.tier, args.uses, expires, settings, args.note
                )
                print(code)
                until = f"until {invitation.expires_at:%Y-%m-%d %H:%M} UTC" if invitation.expires_at else "no expiry"
                print(
                    f"created {invitation.id}: tier {invitation.tier}, {invitation.uses} use(s), {until}; "
                    "the code is shown only now. Redeem: POST /v1/invitations/redeem {\"code\", \"name\"}",
                    file=sys.stderr,
                )
            elif args.invites_command == "list":
                for invitation in session.scalars(select(operators.Invitation).order_by(operators.Invitation.created_at)):
                    view = operators.invitation_view(invitation)
                    print(
                        f"{view['id']}  {view['prefix']}…  tier={view['tier']}  used {view['used']}/{view['uses']}  "
                        f"{view['status']}"
                    )
            elif args.invites_command == "revoke":
                invitation = operators.revoke_invitation(session, operators.CLI_ACTOR, args.invitation)
                print(f"revoked {invitation.id}")
        except operators.OperatorError as exc:
            raise SystemExit(exc.message) from None


def usage_command(settings: Settings, args: argparse.Namespace) -> None:
    import json
    from datetime import datetime, timezone

    from core import operators
    from core.usage import UsageQueryError, image_usage

    migrate(settings)
    now = int(datetime.now(timezone.utc).timestamp()) + 1  # the end is exclusive: count this second too
    try:
        start = now - int(operators.parse_duration(args.since).total_seconds())
    except operators.OperatorError as exc:
        raise SystemExit(exc.message) from None
    group_by = [g for g in (args.group_by or "").split(",") if g]
    with _sessions(settings)() as session:
        try:
            page = image_usage(
                session, start_time=start, end_time=now, bucket_width=args.bucket, group_by=group_by,
                api_key_ids=[args.key] if args.key else None, limit=args.buckets, now=now,
            )
        except UsageQueryError as exc:
            raise SystemExit(exc.message) from None
    if args.json:
        print(json.dumps(page, indent=2))
        return
    print("bucket start (UTC)   images  requests  " + "  ".join(group_by))
    for bucket in page["data"]:
        start_text = datetime.fromtimestamp(bucket["start_time"], timezone.utc).strftime("%Y-%m-%d %H:%M")
        for result in bucket["results"]:
            groups = "  ".join(str(result[g]) for g in group_by)
            print(f"{start_text}     {result['images']:>6}  {result['num_model_requests']:>8}  {groups}")
    if page["has_more"]:
        print(f"(more buckets: use a larger --buckets or a shorter --since)", file=sys.stderr)


_UNSET = object()


def rejections_command(settings: Settings, args: argparse.Namespace) -> None:
    from sqlalchemy import select

    from core.tables import PolicyRejection

    from core import operators

    migrate(settings)
    with _sessions(settings)() as session:
        if args.review is not None:
            try:
                rejection = operators.review_rejection(session, operators.CLI_ACTOR, args.review, args.verdict, args.note)
            except operators.OperatorError as exc:
                raise SystemExit(exc.message) from None
            print(f"rejection {rejection.id}: {rejection.review_verdict}")
            return
        query = select(PolicyRejection).order_by(PolicyRejection.created_at.desc()).limit(args.limit)
        if args.category:
            query = query.where(PolicyRejection.category == args.category)
        if args.key:
            query = query.where(PolicyRejection.api_key_id == args.key)
        if args.unreviewed:
            query = query.where(PolicyRejection.review_verdict.is_(None))
        print("id      time                 key                                      operation  stage   category             check      prompt_sha256     review")
        for r in session.scalars(query):
            print(
                f"{r.id:<7} {r.created_at:%Y-%m-%d %H:%M:%S}  {r.api_key_id or '-':<40} {r.operation:<10} {r.stage:<7} "
                f"{r.category or '-':<20} {r.check or '-':<10} {(r.prompt_sha256 or '-')[:16]}  {r.review_verdict or '-'}"
                + (f"\n        prompt: {r.prompt_text}" if r.prompt_text else "")
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
    p = sub.add_parser("keys", help="manage API keys")
    keys_sub = p.add_subparsers(dest="keys_command", required=True)
    create = keys_sub.add_parser("create", help="make a key; its secret is printed once")
    create.add_argument("name")
    create.add_argument("--role", choices=["admin", "user"], default="user")
    create.add_argument("--tier", help="a tier from EASEL_TIERS: its limits apply where the key sets none")
    create.add_argument("--expires", help="lifetime, e.g. 30d, 12h (default: never)")
    update = keys_sub.add_parser("update", help="change a key's name, role, tier, limits, expiry or state")
    update.add_argument("key", help="key id or prefix")
    update.add_argument("--name")
    update.add_argument("--role", choices=["admin", "user"])
    update.add_argument("--tier")
    update.add_argument("--expires", help="new lifetime from now (e.g. 30d), or 'never'")
    state = update.add_mutually_exclusive_group()
    state.add_argument("--disable", action="store_true")
    state.add_argument("--enable", action="store_true")
    suspension = update.add_mutually_exclusive_group()
    suspension.add_argument("--suspend", metavar="REASON")
    suspension.add_argument("--reinstate", action="store_true")
    for parser_ in (create, update):
        for flag in ("requests-per-minute", "images-per-minute", "images-per-day", "images-per-month"):
            parser_.add_argument(
                f"--{flag}", type=_limit_value, default=None if parser_ is create else _UNSET,
                help="N (0 = no limit) or 'default' (the tier's or the deployment's)",
            )
    keys_sub.add_parser("show", help="a key's settings and effective limits").add_argument("key", help="key id or prefix")
    keys_sub.add_parser("list")
    keys_sub.add_parser("revoke").add_argument("key", help="key id or prefix")
    p = sub.add_parser("invites", help="invitation codes: a key of a tier for whoever redeems one")
    invites_sub = p.add_subparsers(dest="invites_command", required=True)
    create = invites_sub.add_parser("create")
    create.add_argument("--tier", required=True)
    create.add_argument("--uses", type=int, default=1)
    create.add_argument("--expires", default="7d", help="e.g. 7d, 12h, or 'never' (default 7d)")
    create.add_argument("--note")
    invites_sub.add_parser("list")
    invites_sub.add_parser("revoke").add_argument("invitation", help="invitation id")
    p = sub.add_parser("usage", help="images and requests of succeeded jobs, from the job rows")
    p.add_argument("--since", default="7d", help="how far back (default 7d)")
    p.add_argument("--bucket", choices=["1m", "1h", "1d"], default="1d")
    p.add_argument("--buckets", type=int, default=None, help="at most this many buckets")
    p.add_argument("--group-by", help="comma-separated: api_key_id, model, size, source, user_id")
    p.add_argument("--key", help="only this key id")
    p.add_argument("--json", action="store_true", help="the API's JSON (GET /v1/organization/usage/images)")
    p = sub.add_parser("rejections", help="the content policy's refusals: the review queue")
    p.add_argument("--limit", type=int, default=50)
    p.add_argument("--category")
    p.add_argument("--key", help="only this key id")
    p.add_argument("--unreviewed", action="store_true")
    p.add_argument("--review", type=int, metavar="ID", help="mark this rejection reviewed (with --verdict)")
    p.add_argument("--verdict", choices=["correct", "false_positive"], default="correct")
    p.add_argument("--note")
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
    elif args.command == "keys":
        keys_command(settings, args)
    elif args.command == "rejections":
        rejections_command(settings, args)
    elif args.command == "invites":
        invites_command(settings, args)
    elif args.command == "usage":
        usage_command(settings, args)


if __name__ == "__main__":
    main()
