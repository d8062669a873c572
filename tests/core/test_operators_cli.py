"""`easel keys`, `easel invites`, `easel usage`, `easel rejections --review`: the operator's commands on SQLite and
PostgreSQL, each leaving its row and its audit entry."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from core import invitations, jobs, keys, rejections, tables
from easel.cli import main
from core.config import Settings
from core.db import make_engine, make_sessionmaker


@pytest.fixture
def cli(tmp_path, database_url, monkeypatch):
    monkeypatch.setenv("EASEL_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("EASEL_DATABASE_URL", database_url)
    from core.config import get_settings

    get_settings.cache_clear()
    engine = make_engine(database_url)
    yield make_sessionmaker(engine)
    engine.dispose()
    get_settings.cache_clear()


def run(capsys, *argv: str) -> str:
    main(list(argv))
    return capsys.readouterr().out


def test_keys_create_update_show_and_audit(cli, capsys):
    secret = run(capsys, "keys", "create", "ann", "--role", "admin", "--images-per-day", "40", "--expires", "30d").strip()
    assert secret.startswith("sk-easel-")
    with cli() as session:
        key = keys.find_api_key(session, secret)
        assert (key.role, key.images_per_day) == ("admin", 40)
        assert 29 <= (key.expires_at - tables.utcnow()).days <= 30
    shown = json.loads(run(capsys, "keys", "update", key.id, "--name", "ann2", "--images-per-day", "default",
                           "--images-per-minute", "6", "--tier", "beta", "--disable"))
    assert shown["name"] == "ann2" and shown["status"] == "disabled"
    assert shown["limits"]["images_per_day"] is None and shown["limits"]["images_per_minute"] == 6
    # The key's own value wins; the day budget comes from the beta tier now.
    assert shown["effective_limits"]["images_per_minute"] == 6
    assert shown["effective_limits"]["images_per_day"] == Settings().tiers["beta"]["images_per_day"]
    shown = json.loads(run(capsys, "keys", "update", key.prefix, "--enable", "--suspend", "abuse", "--expires", "never"))
    assert shown["status"] == "suspended" and shown["expires_at"] is None
    assert json.loads(run(capsys, "keys", "show", key.id))["suspended_reason"] == "abuse"
    with pytest.raises(SystemExit, match="No tier"):
        main(["keys", "update", key.id, "--tier", "gold"])
    with cli() as session:
        entries = session.scalars(select(tables.AuditEntry).where(tables.AuditEntry.target == key.id)
                                  .order_by(tables.AuditEntry.id)).all()
        assert [e.action for e in entries] == ["key.create", "key.update", "key.disable", "key.update", "key.enable",
                                               "key.suspend"]
        assert {e.actor for e in entries} == {"cli"}


def test_invites_create_and_list(cli, capsys):
    code = run(capsys, "invites", "create", "--tier", "beta", "--uses", "20", "--expires", "7d").strip()
    assert code.startswith("inv-")
    listed = run(capsys, "invites", "list")
    assert "tier=beta" in listed and "used 0/20" in listed and code not in listed
    with cli() as session:
        key, secret = invitations.redeem_invitation(session, code, "newcomer")
        assert key.tier == "beta" and secret.startswith("sk-easel-")
    assert "used 1/20" in run(capsys, "invites", "list")


def test_usage_and_review_from_the_command_line(cli, capsys):
    run(capsys, "keys", "create", "k")
    with cli() as session:
        key = session.scalars(select(tables.ApiKey)).first()
        job = jobs.create_job(session, api_key_id=key.id, operation="generate", model="unclip", prompt="p",
                              params={"n": 2, "size": 512}, seed=1, fingerprint="f")
        jobs.claim_job(session, job.id, "w", 60)
        jobs.finish_job(session, job.id, "w", [
            dict(index=i, storage_key=f"k{i}", width=512, height=512, format="png", sha256="0" * 64) for i in range(2)
        ], blocked=0)
        rejection = rejections.record_rejection(session, api_key_id=key.id, operation="generate", stage="prompt",
                                          category="violence", check="terms", prompt="x")
    page = json.loads(run(capsys, "usage", "--since", "1d", "--group-by", "model,size", "--json"))
    results = [r for b in page["data"] for r in b["results"]]
    assert [(r["model"], r["size"], r["images"], r["num_model_requests"]) for r in results] == [("unclip", "512x512", 2, 1)]
    assert "unclip" in run(capsys, "usage", "--group-by", "model")
    assert str(rejection.id) in run(capsys, "rejections", "--unreviewed")
    run(capsys, "rejections", "--review", str(rejection.id), "--verdict", "false_positive", "--note", "fine")
    assert run(capsys, "rejections", "--unreviewed").count("\n") == 1  # the header only
