-- The schema tests/locks/cases.txt runs against (tests/locks/verify.sh loads it into a fresh
-- database; the tablespace ts2 is created by the script, in its temporary folder).
CREATE TYPE mood AS ENUM ('happy', 'sad');
CREATE TABLE orgs (id int PRIMARY KEY, name text);
CREATE TABLE users (id int PRIMARY KEY, org_id int, email text, age int, name varchar(10),
                    status mood, flags int, note text);
CREATE INDEX users_age_idx ON users (age);
CREATE UNIQUE INDEX users_email_key ON users (email);
CREATE INDEX users_gist ON users USING gist (int4range(flags, flags + 1));
ALTER TABLE users ADD CONSTRAINT users_age_check CHECK (age > 0) NOT VALID;
ALTER TABLE users ADD CONSTRAINT users_org_fk FOREIGN KEY (org_id) REFERENCES orgs (id) NOT VALID;
INSERT INTO orgs SELECT g, 'o' || g FROM generate_series(1, 50) g;
INSERT INTO users SELECT g, 1 + g % 50, 'u' || g || '@x', 20 + g % 50, 'n', 'happy', 0, NULL
  FROM generate_series(1, 200) g;
CREATE TABLE events (id int, at date) PARTITION BY RANGE (at);
CREATE TABLE events_2022 PARTITION OF events FOR VALUES FROM ('2022-01-01') TO ('2023-01-01');
CREATE TABLE events_2023 PARTITION OF events FOR VALUES FROM ('2023-01-01') TO ('2024-01-01');
CREATE TABLE events_2024 (id int, at date);
INSERT INTO events_2024 VALUES (1, '2024-02-01');
CREATE INDEX events_id_idx ON ONLY events (id);
CREATE INDEX events_2023_id_idx ON events_2023 (id);
CREATE MATERIALIZED VIEW user_counts AS SELECT org_id, count(*) FROM users GROUP BY org_id;
CREATE UNIQUE INDEX user_counts_org ON user_counts (org_id);
CREATE VIEW active_users AS SELECT id, org_id FROM users WHERE org_id > 3;
CREATE SEQUENCE ticket_seq;
CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NEW; END$$;
CREATE FUNCTION noop() RETURNS int LANGUAGE sql AS 'select 1';
CREATE FUNCTION on_ddl() RETURNS event_trigger LANGUAGE plpgsql AS $$BEGIN END$$;
CREATE TRIGGER users_touch BEFORE UPDATE ON users FOR EACH ROW EXECUTE FUNCTION touch();
CREATE RULE orgs_rule AS ON DELETE TO orgs DO INSTEAD NOTHING;
ALTER TABLE users ENABLE ROW LEVEL SECURITY;
CREATE POLICY users_pol ON users USING (true);
CREATE TABLE parent_t (id int);
CREATE TABLE child_t () INHERITS (parent_t);
CREATE STATISTICS users_stats ON org_id, age FROM users;
CREATE TABLE audit (id int, users_id int);
INSERT INTO audit VALUES (1, 1);
CREATE UNIQUE INDEX audit_id_key ON audit (id);
CREATE UNLOGGED TABLE scratch (id int);
INSERT INTO scratch VALUES (1);
CREATE TABLE empty_t (id int);
CREATE ROLE reader;
CREATE SCHEMA archive;
ANALYZE;
