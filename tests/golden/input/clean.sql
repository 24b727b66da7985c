-- Golden input: nothing to report.
CREATE TABLE audit_log (id bigint PRIMARY KEY, at timestamptz NOT NULL);
CREATE INDEX audit_log_at_idx ON audit_log (at);
DROP TABLE audit_log;
