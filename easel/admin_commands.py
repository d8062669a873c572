"""The operators' commands: `easel keys`, `easel invites`, `easel usage`, `easel rejections` (docs/operators.md).
The same actions as the /v1/admin endpoints, audited as the "cli" actor."""

from __future__ import annotations

import argparse
import sys

from core.config import Settings
from core.db import migrate, sessionmaker_for


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

    from core import audit, keys
    from core.limits import LIMIT_FIELDS
    from core.tables import ApiKey, utcnow

    migrate(settings)
    actor = audit.CLI_ACTOR
    with sessionmaker_for(settings)() as session:
        try:
            if args.keys_command == "create":
                expires = utcnow() + audit.parse_duration(args.expires) if args.expires else None
                limits = {name: getattr(args, name) for name in LIMIT_FIELDS}
                key, secret = keys.create_key(
                    session, actor, args.name, settings, role=args.role, tier=args.tier, expires_at=expires, **limits
                )
                print(secret)
                print(f"created {key.id} ({key.name}, {key.role}); the key is shown only now", file=sys.stderr)
            elif args.keys_command == "list":
                for key in session.scalars(select(ApiKey).order_by(ApiKey.created_at)):
                    state = keys.key_status(key)
                    if key.revoked_at:
                        state = f"revoked {key.revoked_at:%Y-%m-%d %H:%M}"
                    print(
                        f"{key.id}  {key.prefix}…  {key.name}  {key.role}  tier={key.tier or '-'}  "
                        f"created {key.created_at:%Y-%m-%d %H:%M}  {state}"
                    )
            elif args.keys_command == "show":
                _print_key(keys.key_view(keys.find_key(session, args.key), settings))
            elif args.keys_command == "update":
                key = keys.find_key(session, args.key)
                changes = {}
                for name in ("name", "role", "tier"):
                    if getattr(args, name) is not None:
                        changes[name] = getattr(args, name)
                for name in LIMIT_FIELDS:
                    if getattr(args, name) is not _UNSET:
                        changes[name] = getattr(args, name)
                if args.expires is not None:
                    changes["expires_at"] = (
                        None if args.expires == "never" else utcnow() + audit.parse_duration(args.expires)
                    )
                if changes:
                    keys.update_key(session, actor, key, settings, **changes)
                if args.disable or args.enable:
                    keys.set_disabled(session, actor, key, disabled=args.disable)
                if args.suspend:
                    keys.suspend_key(session, actor, key, args.suspend)
                if args.reinstate:
                    keys.reinstate_key(session, actor, key)
                _print_key(keys.key_view(key, settings))
            elif args.keys_command == "revoke":
                key = keys.revoke_key(session, actor, keys.find_key(session, args.key))
                print(f"revoked {key.id} ({key.name})")
        except audit.OperatorError as exc:
            raise SystemExit(exc.message) from None


def invites_command(settings: Settings, args: argparse.Namespace) -> None:
    from sqlalchemy import select

    from core import audit, invitations, tables

    migrate(settings)
    with sessionmaker_for(settings)() as session:
        try:
            if args.invites_command == "create":
                expires = None if args.expires == "never" else audit.parse_duration(args.expires)
                invitation, code = invitations.create_invitation(
                    session, audit.CLI_ACTOR, args.tier, args.uses, expires, settings, args.note
                )
                print(code)
                until = f"until {invitation.expires_at:%Y-%m-%d %H:%M} UTC" if invitation.expires_at else "no expiry"
                print(
                    f"created {invitation.id}: tier {invitation.tier}, {invitation.uses} use(s), {until}; "
                    "the code is shown only now. Redeem: POST /v1/invitations/redeem {\"code\", \"name\"}",
                    file=sys.stderr,
                )
            elif args.invites_command == "list":
                for invitation in session.scalars(select(tables.Invitation).order_by(tables.Invitation.created_at)):
                    view = invitations.invitation_view(invitation)
                    print(
                        f"{view['id']}  {view['prefix']}…  tier={view['tier']}  used {view['used']}/{view['uses']}  "
                        f"{view['status']}"
                    )
            elif args.invites_command == "revoke":
                invitation = invitations.revoke_invitation(session, audit.CLI_ACTOR, args.invitation)
                print(f"revoked {invitation.id}")
        except audit.OperatorError as exc:
            raise SystemExit(exc.message) from None


def usage_command(settings: Settings, args: argparse.Namespace) -> None:
    import json
    from datetime import datetime, timezone

    from core import audit
    from core.usage import UsageQueryError, image_usage

    migrate(settings)
    now = int(datetime.now(timezone.utc).timestamp()) + 1  # the end is exclusive: count this second too
    try:
        start = now - int(audit.parse_duration(args.since).total_seconds())
    except audit.OperatorError as exc:
        raise SystemExit(exc.message) from None
    group_by = [g for g in (args.group_by or "").split(",") if g]
    with sessionmaker_for(settings)() as session:
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
        print("(more buckets: use a larger --buckets or a shorter --since)", file=sys.stderr)


_UNSET = object()


def rejections_command(settings: Settings, args: argparse.Namespace) -> None:
    from sqlalchemy import select

    from core import audit, rejections
    from core.tables import PolicyRejection

    migrate(settings)
    with sessionmaker_for(settings)() as session:
        if args.review is not None:
            try:
                rejection = rejections.review_rejection(session, audit.CLI_ACTOR, args.review, args.verdict, args.note)
            except audit.OperatorError as exc:
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


def add_parsers(sub) -> None:
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


COMMANDS = {"keys": keys_command, "invites": invites_command, "usage": usage_command, "rejections": rejections_command}
