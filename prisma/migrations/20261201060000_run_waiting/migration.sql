-- Admission by resources: why a run's current step has not started yet (waiting for memory, CPU or its turn).

-- AlterTable
ALTER TABLE "Run" ADD COLUMN "waiting" TEXT;
