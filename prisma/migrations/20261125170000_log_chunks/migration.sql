-- Log lines are stored as the chunks the runner sent instead of a row per line.

-- CreateTable
CREATE TABLE "LogChunk" (
    "runId" TEXT NOT NULL,
    "firstSeq" INTEGER NOT NULL,
    "lastSeq" INTEGER NOT NULL,
    "lines" TEXT NOT NULL,

    PRIMARY KEY ("runId", "firstSeq"),
    CONSTRAINT "LogChunk_runId_fkey" FOREIGN KEY ("runId") REFERENCES "Run" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateIndex
CREATE INDEX "LogChunk_runId_lastSeq_idx" ON "LogChunk"("runId", "lastSeq");

-- Keep what was stored: the contiguous prefix of each run (up to its watermark), 1000 lines a chunk.
-- Lines past a run's watermark were never acknowledged, so the runner still holds them and resends.
INSERT INTO "LogChunk" ("runId", "firstSeq", "lastSeq", "lines")
SELECT "runId", MIN("seq"), MAX("seq"), '[' || group_concat(json_array("stream", "text", "ts"), ',' ORDER BY "seq") || ']'
FROM "LogLine"
WHERE "seq" <= (SELECT "lastSeq" FROM "Run" WHERE "Run"."id" = "LogLine"."runId")
GROUP BY "runId", ("seq" - 1) / 1000;

-- DropTable
PRAGMA foreign_keys=off;
DROP TABLE "LogLine";
PRAGMA foreign_keys=on;
