/**
 * What every command shares: the usage error (exit 2). Commands import this, never cli/main.ts,
 * so there is no circle between the CLI's files: main.ts imports the commands, they import this.
 */
export class UsageError extends Error {}

/**
 * A rejected input whose message is already the whole story (a display filter's error with its
 * caret lines, as tshark prints it): main.ts prints it as it is (escaped), no usage pointer, exit 2.
 */
export class InputError extends Error {}
