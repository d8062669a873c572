"""operators: key roles, lifecycles and limits; invitations; the audit log; the review queue

Revision ID: 0005_operators
Revises: 0004_storage
Create Date: 2026-12-01
"""
from alembic import op
import sqlalchemy as sa


revision = '0005_operators'
down_revision = '0004_storage'
branch_labels = None
depends_on = None

LIMITS = ('requests_per_minute', 'images_per_minute', 'images_per_day', 'images_per_month')


def upgrade() -> None:
    with op.batch_alter_table('api_keys', schema=None) as batch_op:
        batch_op.add_column(sa.Column('role', sa.String(length=16), nullable=False, server_default='user'))
        batch_op.add_column(sa.Column('expires_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('disabled_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('suspended_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('suspended_reason', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('tier', sa.String(length=64), nullable=True))
        for name in LIMITS:
            batch_op.add_column(sa.Column(name, sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('invitation_id', sa.String(length=40), nullable=True))

    with op.batch_alter_table('policy_rejections', schema=None) as batch_op:
        batch_op.add_column(sa.Column('prompt_text', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('review_verdict', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('review_note', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('reviewed_by', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('reviewed_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index(batch_op.f('ix_policy_rejections_review_verdict'), ['review_verdict'], unique=False)

    op.create_table('audit_log',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor', sa.String(length=64), nullable=False),
    sa.Column('action', sa.String(length=64), nullable=False),
    sa.Column('target', sa.String(length=64), nullable=True),
    sa.Column('details', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_log_at'), ['at'], unique=False)

    op.create_table('invitations',
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('code_hash', sa.String(length=64), nullable=False),
    sa.Column('prefix', sa.String(length=16), nullable=False),
    sa.Column('tier', sa.String(length=64), nullable=False),
    sa.Column('uses', sa.Integer(), nullable=False),
    sa.Column('used', sa.Integer(), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_by', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('invitations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_invitations_code_hash'), ['code_hash'], unique=True)


def downgrade() -> None:
    with op.batch_alter_table('invitations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_invitations_code_hash'))
    op.drop_table('invitations')
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_log_at'))
    op.drop_table('audit_log')
    with op.batch_alter_table('policy_rejections', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_policy_rejections_review_verdict'))
        for name in ('reviewed_at', 'reviewed_by', 'review_note', 'review_verdict', 'prompt_text'):
            batch_op.drop_column(name)
    with op.batch_alter_table('api_keys', schema=None) as batch_op:
        for name in ('invitation_id', *reversed(LIMITS), 'tier', 'suspended_reason', 'suspended_at', 'disabled_at',
                     'expires_at', 'role'):
            batch_op.drop_column(name)
