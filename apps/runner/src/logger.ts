/** Where the runner's parts write a line for whoever runs it (the daemon's stderr, a headless session's log). */
export type Logger = (message: string) => void;
