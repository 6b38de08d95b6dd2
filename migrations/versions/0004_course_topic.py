"""training courses get a topic

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-04 06:00:00.000000
"""
from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('tt_courses', schema=None) as batch_op:
        batch_op.add_column(sa.Column('topic', sa.String(length=200), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('tt_courses', schema=None) as batch_op:
        batch_op.drop_column('topic')
