ALTER TABLE "café" DROP COLUMN "größe";
-- 日本語 comment with CRLF line ends
/* naïve */ ALTER TABLE "naïve" ALTER COLUMN "été" SET NOT NULL;

	/* 🐘 */ CREATE INDEX ON "éléphant" (x);
