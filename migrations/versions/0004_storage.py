"""storage: jobs whose images and uploads were deleted by the retention sweep are marked, not removed

Revision ID: 0004_storage
Revises: 0003_studio
Create Date: 2026-12-01
"""
from alembic import op
import sqlalchemy as sa


revision = '0004_storage'
down_revision = '0003_studio'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('images_expired_at', sa.DateTime(timezone=True), nullable=True))
        # The retention sweep looks for jobs that finished before a cutoff.
        batch_op.create_index(batch_op.f('ix_jobs_finished_at'), ['finished_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_jobs_finished_at'))
        batch_op.drop_column('images_expired_at')
