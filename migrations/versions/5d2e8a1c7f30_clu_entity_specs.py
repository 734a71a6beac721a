"""clu entity specs: CLU entities' composition setting, required components, components and LUIS aliases

Revision ID: 5d2e8a1c7f30
Revises: 3c1f0b7d9e42
Create Date: 2026-12-01 16:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5d2e8a1c7f30'
down_revision = '3c1f0b7d9e42'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('clu_projects', schema=None) as batch_op:
        batch_op.add_column(sa.Column('entity_specs', sa.JSON(), nullable=False, server_default='{}'))


def downgrade():
    with op.batch_alter_table('clu_projects', schema=None) as batch_op:
        batch_op.drop_column('entity_specs')
