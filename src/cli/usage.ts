/**
 * What every command shares: the usage error (exit 2). Commands import this, never cli/main.ts,
 * so there is no circle between the CLI's files: main.ts imports the commands, they import this.
 */
export class UsageError extends Error {}

/** A request the command cannot do (input or options out of range): its message alone, exit 2. */
export class CommandError extends Error {}
