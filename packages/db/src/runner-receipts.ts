import { withAuditedTransaction, type AuditEventDto, type AuditInput } from "./audit.ts";
import type { Db } from "./client.ts";

/**
 * Appends a runner's audit record unless one with the same receipt key is stored: the receipt and the event
 * commit together, so a record resent to another instance (the first stored it, then died before answering)
 * is stored once. The key's primary key decides, not a process's memory: two instances racing on one key
 * both try to insert it, and the database keeps one. Null when the record was already stored.
 */
export async function appendAuditEventOnce(db: Db, receiptKey: string, input: AuditInput): Promise<AuditEventDto | null> {
  try {
    const { events } = await withAuditedTransaction(db, async (tx) => {
      if (await tx.runnerReceipt.findUnique({ where: { key: receiptKey }, select: { key: true } }))
        return { value: null, audit: [] };
      await tx.runnerReceipt.create({ data: { key: receiptKey } });
      return { value: null, audit: [input] };
    });
    return events[0] ?? null;
  } catch (error) {
    // P2002: the key's unique constraint — another instance stored the record between the check and the insert.
    if (error instanceof Error && (error as Error & { code?: unknown }).code === "P2002") return null;
    throw error;
  }
}
