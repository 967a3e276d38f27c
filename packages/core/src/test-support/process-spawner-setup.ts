import { afterAll } from "vitest";
import { stopProcessSpawner, useProcessSpawner } from "../node/process-spawner.ts";

/*
 * A vitest setup file: each test file starts its git through a process spawner, as the runner does. A worker holding
 * a test file's repositories and servers is hundreds of MB, and forking it for each of the thousands of git processes
 * the tests start was a large part of the suite's CPU (the kernel's, copying its page tables).
 */
useProcessSpawner();
afterAll(() => stopProcessSpawner());
