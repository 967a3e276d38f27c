"use client";
import { useState } from "react";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useTRPC } from "../../lib/trpc.ts";
import { DiffView } from "../diff-view.tsx";
import { Button } from "../ui/button.tsx";
import { TextArea } from "../ui/field.tsx";
import { Empty, ErrorText } from "../ui/feedback.tsx";
import { LineCommentDraft, LineCommentList, type LineComment } from "./line-comments.tsx";

type Props = {
  mergeRequestId: string;
  headSha: string;
  branch: string;
  diff: { patch: string; isTruncated: boolean } | null;
  onClose: () => void;
};

/**
 * "Request changes": a comment for the agent and comments on lines of the diff (tap a line to add one). They
 * reach the agent only as its next round's prompt; the request is pinned to the head on screen.
 */
export function RequestChangesForm({ mergeRequestId, headSha, branch, diff, onClose }: Props) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [comment, setComment] = useState("");
  const [lineComments, setLineComments] = useState<LineComment[]>([]);
  const [picked, setPicked] = useState<{ file: string; line: number } | null>(null);
  const send = useMutation(
    trpc.approval.requestChanges.mutationOptions({
      onSuccess: onClose,
      onSettled: () => void queryClient.invalidateQueries(),
    }),
  );
  const canSend = comment.trim().length > 0 || lineComments.length > 0;

  return (
    <form
      aria-label={`Request changes on ${branch}`}
      className="space-y-3"
      onSubmit={(e) => {
        e.preventDefault();
        if (canSend) send.mutate({ mergeRequestId, headSha, comment, lineComments });
      }}
    >
      <TextArea
        label="What should the agent change?"
        hint="Tap a line of the diff to comment on it."
        rows={3}
        maxLength={4000}
        value={comment}
        onChange={(e) => setComment(e.target.value)}
      />
      <LineCommentList comments={lineComments} onRemove={(i) => setLineComments((list) => list.filter((_, j) => j !== i))} />
      {picked && (
        <LineCommentDraft
          key={`${picked.file}:${picked.line}`}
          file={picked.file}
          line={picked.line}
          onAdd={(body) => {
            setLineComments((list) => [...list, { ...picked, body }]);
            setPicked(null);
          }}
          onCancel={() => setPicked(null)}
        />
      )}
      <ErrorText error={send.error} />
      <div className="flex flex-wrap gap-2">
        <Button type="submit" variant="primary" disabled={!canSend || send.isPending}>
          {send.isPending ? "Sending…" : "Send to the agent"}
        </Button>
        <Button variant="ghost" onClick={onClose}>
          Back
        </Button>
      </div>
      {diff ? (
        <DiffView
          patch={diff.patch}
          isTruncated={diff.isTruncated}
          picker={{
            onPick: (file, line) => setPicked({ file, line }),
            isPicked: (file, line) =>
              (picked?.file === file && picked.line === line) || lineComments.some((c) => c.file === file && c.line === line),
          }}
        />
      ) : (
        <Empty>The diff has not been captured yet; a general comment still goes to the agent.</Empty>
      )}
    </form>
  );
}
