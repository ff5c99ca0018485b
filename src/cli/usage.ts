/**
 * What every command shares: the usage error (exit 2). Commands import this, never cli/main.ts,
 * so there is no circle between the CLI's files: main.ts imports the commands, they import this.
 */
export class UsageError extends Error {}
