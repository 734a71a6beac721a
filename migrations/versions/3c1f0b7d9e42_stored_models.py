"""stored models: trained models kept in the database, with their size and sha256

Revision ID: 3c1f0b7d9e42
Revises: c1a0e2f3b4d5
Create Date: 2026-12-01 15:50:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '3c1f0b7d9e42'
down_revision = 'c1a0e2f3b4d5'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('stored_models',
    sa.Column('artifact', sa.String(length=64), nullable=False),
    sa.Column('size', sa.BigInteger(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=False),
    sa.Column('created', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('artifact')
    )


def downgrade():
    op.drop_table('stored_models')
