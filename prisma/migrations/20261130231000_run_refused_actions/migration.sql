-- How many tool calls a run's agent was refused by its CLI's permissions, as the runner counted them.

-- AlterTable
ALTER TABLE "Run" ADD COLUMN "refusedActions" INTEGER NOT NULL DEFAULT 0;
