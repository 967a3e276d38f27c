/**
 * Resolves with the first SIGINT/SIGTERM: grove was asked to stop. A second signal would kill it mid-step (a
 * merge landing, a run record half written), so it is answered with what grove is doing; a third stops the
 * process at once, as the signal would have.
 */
export function waitForStopSignal(say: (text: string) => void): Promise<string> {
  return new Promise((resolve) => {
    let count = 0;
    const stop = (signal: NodeJS.Signals) => {
      count++;
      if (count === 1) return resolve(signal);
      if (count === 2)
        return say(`grove: ${signal}: still stopping (a merge in progress finishes first); ${signal} again quits at once`);
      process.removeListener("SIGINT", stop);
      process.removeListener("SIGTERM", stop);
      process.kill(process.pid, signal);
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
  });
}
