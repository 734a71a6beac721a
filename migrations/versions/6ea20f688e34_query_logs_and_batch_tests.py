"""query logs and batch tests: endpoint queries asked with log=true, and batch-test jobs

Revision ID: 6ea20f688e34
Revises: 92090e9a118a
Create Date: 2026-11-29 05:01:00.258530

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '6ea20f688e34'
down_revision = '92090e9a118a'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('batch_tests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('app_id', sa.String(length=36), nullable=False),
    sa.Column('version_id', sa.String(length=50), nullable=True),
    sa.Column('slot', sa.String(length=20), nullable=True),
    sa.Column('utterances', sa.JSON(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('failure_reason', sa.Text(), nullable=True),
    sa.Column('progress', sa.JSON(), nullable=False),
    sa.Column('artifact', sa.String(length=64), nullable=True),
    sa.Column('report', sa.JSON(), nullable=True),
    sa.Column('created', sa.DateTime(), nullable=False),
    sa.Column('started', sa.DateTime(), nullable=True),
    sa.Column('finished', sa.DateTime(), nullable=True),
    sa.Column('heartbeat', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['app_id'], ['apps.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('batch_tests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_batch_tests_app_id'), ['app_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_batch_tests_status'), ['status'], unique=False)

    op.create_table('query_logs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('app_id', sa.String(length=36), nullable=False),
    sa.Column('version_id', sa.String(length=50), nullable=True),
    sa.Column('slot', sa.String(length=20), nullable=True),
    sa.Column('query', sa.Text(), nullable=False),
    sa.Column('text_key', sa.Text(), nullable=False),
    sa.Column('response', sa.Text(), nullable=False),
    sa.Column('top_intent', sa.String(length=100), nullable=False),
    sa.Column('score', sa.Double(), nullable=False),
    sa.Column('second_score', sa.Double(), nullable=False),
    sa.Column('entities', sa.JSON(), nullable=False),
    sa.Column('review', sa.String(length=10), nullable=True),
    sa.Column('created', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['app_id'], ['apps.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('query_logs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_query_logs_app_id'), ['app_id'], unique=False)


def downgrade():
    with op.batch_alter_table('query_logs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_query_logs_app_id'))

    op.drop_table('query_logs')
    with op.batch_alter_table('batch_tests', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_batch_tests_status'))
        batch_op.drop_index(batch_op.f('ix_batch_tests_app_id'))

    op.drop_table('batch_tests')
