-- Golden input: a misspelt keyword mid-file, then a statement cut short at the end.
CREATE TABLE t (id int);
ALTER TABLE t ADD COLUMN x int;
SELEC * FROM t;
ALTER TABLE t DROP COLUMN
