"use client";
import { createAuthClient } from "better-auth/client";

/** better-auth's browser client, on this origin's /api/auth. */
export const authClient = createAuthClient();
