-- AlterTable
ALTER TABLE "Run" ADD COLUMN     "waiting" TEXT;

