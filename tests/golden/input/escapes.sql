-- Golden input: identifiers with characters reporters must escape.
DROP TABLE "100% done, really: yes";
ALTER TABLE "two
lines" DROP COLUMN "a\b";
