-- Least privilege for the app on PostgreSQL (README, "Production serving").
--
-- Migrations run as the tables' owner; the app (gunicorn, the cron commands) connects as a
-- separate role that can read and write the data but not change the schema, and on the audit
-- log can only add and read entries: no UPDATE, DELETE or TRUNCATE, and, not being the owner,
-- it cannot disable the append-only trigger either.
--
-- Run as the owner after every `flask --app pwa db upgrade` (new tables need their grants):
--   psql "$OWNER_URL" -v app_role=sx_app -v schema=public -f deploy/postgres/app-role.sql
-- Make the role once beforehand (choose its password; it is not in this file):
--   CREATE ROLE sx_app LOGIN PASSWORD '…';

GRANT USAGE ON SCHEMA :"schema" TO :"app_role";
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA :"schema" TO :"app_role";
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA :"schema" TO :"app_role";

-- The audit log: add and read, nothing else.
REVOKE ALL ON :"schema".audit_entries FROM :"app_role";
GRANT SELECT, INSERT ON :"schema".audit_entries TO :"app_role";
-- Its head row is moved on by every entry, never deleted.
REVOKE ALL ON :"schema".audit_head FROM :"app_role";
GRANT SELECT, UPDATE ON :"schema".audit_head TO :"app_role";

-- The migrations' bookkeeping is the owner's business.
REVOKE ALL ON :"schema".alembic_version FROM :"app_role";
