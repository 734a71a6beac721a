"""clu projects and jobs: what Azure CLU keeps beside an app, its long-running operations; deployment names to 50

Revision ID: c1a0e2f3b4d5
Revises: 6ea20f688e34
Create Date: 2026-12-01 15:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c1a0e2f3b4d5'
down_revision = '6ea20f688e34'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('clu_projects',
    sa.Column('app_id', sa.String(length=36), nullable=False),
    sa.Column('settings', sa.JSON(), nullable=False),
    sa.Column('multilingual', sa.Boolean(), nullable=False),
    sa.Column('test_texts', sa.JSON(), nullable=False),
    sa.Column('modified', sa.DateTime(), nullable=False),
    sa.Column('deployed', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['app_id'], ['apps.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('app_id')
    )
    op.create_table('clu_jobs',
    sa.Column('id', sa.String(length=80), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('project', sa.String(length=100), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('created', sa.DateTime(), nullable=False),
    sa.Column('updated', sa.DateTime(), nullable=False),
    sa.Column('training_job_id', sa.Integer(), nullable=True),
    sa.Column('details', sa.JSON(), nullable=False),
    sa.Column('result', sa.JSON(), nullable=True),
    sa.Column('errors', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('clu_jobs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_clu_jobs_project'), ['project'], unique=False)
    with op.batch_alter_table('publications', schema=None) as batch_op:
        batch_op.alter_column('slot', existing_type=sa.String(length=20), type_=sa.String(length=50))


def downgrade():
    with op.batch_alter_table('publications', schema=None) as batch_op:
        batch_op.alter_column('slot', existing_type=sa.String(length=50), type_=sa.String(length=20))
    with op.batch_alter_table('clu_jobs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_clu_jobs_project'))
    op.drop_table('clu_jobs')
    op.drop_table('clu_projects')
