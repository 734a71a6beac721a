"""quota windows: requests per key hash, API and fixed window, shared by every node

Revision ID: 8f4b6d2a9c17
Revises: 5d2e8a1c7f30
Create Date: 2026-12-06 00:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '8f4b6d2a9c17'
down_revision = '5d2e8a1c7f30'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('quota_windows',
    sa.Column('key_hash', sa.String(length=64), nullable=False),
    sa.Column('api', sa.String(length=20), nullable=False),
    sa.Column('window_start', sa.BigInteger(), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('key_hash', 'api', 'window_start')
    )


def downgrade():
    op.drop_table('quota_windows')
