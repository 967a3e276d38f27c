/**
 * Within this long of the first stop signal, another one is the same request delivered twice, not a second
 * press: Ctrl-C or `kill -- -<pgid>` reaches the whole process group, and `pnpm start`'s launcher, also in it,
 * forwards what it got (as SIGTERM) to the runner. The forward follows within milliseconds; 1 s leaves room for a
 * launcher slowed by a loaded machine, and is shorter than a person takes to read "still stopping" and press again.
 */
export const SAME_REQUEST_MS = 1_000;

/**
 * Resolves with the first SIGINT/SIGTERM: grove was asked to stop. A second signal would kill it mid-step (a
 * merge landing, a run record half written), so it is answered with what grove is still doing (`doing()`, asked
 * then); a third stops the process at once, as the signal would have. Signals within SAME_REQUEST_MS of the first
 * count as the first.
 */
export function waitForStopSignal(
  say: (text: string) => void,
  doing: () => string = () => "finishing its current step",
): Promise<string> {
  return new Promise((resolve) => {
    let count = 0;
    let firstAt = 0;
    const stop = (signal: NodeJS.Signals) => {
      if (count === 1 && performance.now() - firstAt < SAME_REQUEST_MS) return;
      count++;
      if (count === 1) {
        firstAt = performance.now();
        return resolve(signal);
      }
      if (count === 2) return say(`grove: ${signal}: still stopping (${doing()}); ${signal} again quits at once`);
      process.removeListener("SIGINT", stop);
      process.removeListener("SIGTERM", stop);
      process.kill(process.pid, signal);
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
  });
}
