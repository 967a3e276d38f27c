import { DomainError } from "@grove/core";
import { checkPublicTarget, type PinnedEndpoint, type TargetPolicy } from "./public-target.ts";

export const MAX_PUSH_ENDPOINT_BYTES = 2_000;

/** `allowLoopback` is for tests with a local push service: loopback addresses, and plain http to them. */
export type PushEndpointPolicy = { allowLoopback: boolean };

/** A Web Push endpoint: an https URL of a push service at a public address (see checkPublicTarget). */
export function checkPushEndpoint(endpoint: string, policy: PushEndpointPolicy): Promise<PinnedEndpoint> {
  const strict: TargetPolicy = { allowLoopback: policy.allowLoopback, allowPlainHttp: false };
  return checkPublicTarget(endpoint, MAX_PUSH_ENDPOINT_BYTES, strict, (why) => {
    throw new DomainError(
      "INVALID_INPUT",
      `The push endpoint ${why}; grove sends Web Push only to a push service's public https address.`,
    );
  });
}
