-- Golden input: one finding of each severity (the test configures
-- require-concurrent-index as info), on lines past the first.
SET lock_timeout = '5s';

ALTER TABLE users DROP COLUMN email;

ALTER TABLE users ALTER COLUMN name SET NOT NULL;

  CREATE INDEX users_name_idx ON users (name);
