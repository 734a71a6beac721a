"""refinement jobs: a training job's kind (train or refine) and the quick model a refinement replaces

Revision ID: e2a7c4d9b1f3
Revises: b7e3c5a1d820
Create Date: 2026-12-06 07:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e2a7c4d9b1f3'
down_revision = 'b7e3c5a1d820'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('training_jobs') as batch_op:
        batch_op.add_column(sa.Column('kind', sa.String(length=10), server_default='train', nullable=False))
        batch_op.add_column(sa.Column('replaces', sa.String(length=64), nullable=True))


def downgrade():
    with op.batch_alter_table('training_jobs') as batch_op:
        batch_op.drop_column('replaces')
        batch_op.drop_column('kind')
