"""Indexes for the auditor's event filters at twenty million events (issue 16).

- ``ix_audit_event_action_seq`` (action, seq) replaces ``ix_audit_event_action``: one
  action's events come newest first straight from the index, however old they are.
- PostgreSQL only: a trigram index on the text the free-text filter searches (action,
  actor, entity ID, reason and diff joined by U+001F; models.audit.SEARCHED_TEXT), so
  ILIKE '%term%' is an index lookup (pg_trgm comes from 0025). SQLite scans.

On a big live table create them by hand first, without blocking appends (README: the
auditor workspace at scale), and this migration finds them there:
CREATE INDEX CONCURRENTLY IF NOT EXISTS ix_audit_event_action_seq ON audit_event (action, seq);
CREATE INDEX CONCURRENTLY IF NOT EXISTS ix_audit_event_text_trgm ON audit_event USING gin
    ((action || chr(31) || actor_name || chr(31) || coalesce(entity_id, '') || chr(31)
      || coalesce(reason, '') || chr(31) || diff) gin_trgm_ops);

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-05 08:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0026'
down_revision = '0025'
branch_labels = None
depends_on = None

# models.audit.SEARCHED_TEXT as it stood here.
_SEARCHED_TEXT = ("((((((((action || chr(31)) || actor_name) || chr(31)) || coalesce(entity_id, ''))"
                  " || chr(31)) || coalesce(reason, '')) || chr(31)) || diff)")


def upgrade():
    op.create_index('ix_audit_event_action_seq', 'audit_event', ['action', 'seq'],
                    if_not_exists=True)
    op.drop_index('ix_audit_event_action', table_name='audit_event', if_exists=True)
    if op.get_bind().dialect.name == 'postgresql':
        op.create_index('ix_audit_event_text_trgm', 'audit_event',
                        [sa.text(f'{_SEARCHED_TEXT} gin_trgm_ops')], postgresql_using='gin',
                        if_not_exists=True)


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.drop_index('ix_audit_event_text_trgm', table_name='audit_event')
    op.create_index('ix_audit_event_action', 'audit_event', ['action'])
    op.drop_index('ix_audit_event_action_seq', table_name='audit_event')
