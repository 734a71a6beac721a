"""api keys: authoring and endpoint keys created and revoked at run time, kept as their sha256

Revision ID: b7e3c5a1d820
Revises: 8f4b6d2a9c17
Create Date: 2026-12-06 01:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b7e3c5a1d820'
down_revision = '8f4b6d2a9c17'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('api_keys',
    sa.Column('key_hash', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('created', sa.DateTime(), nullable=False),
    sa.Column('revoked', sa.DateTime(), nullable=True),
    sa.PrimaryKeyConstraint('key_hash')
    )


def downgrade():
    op.drop_table('api_keys')
