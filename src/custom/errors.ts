/**
 * What a user-defined protocol or detector that cannot be used throws: one line naming the spec
 * (and the field), shown without a stack trace (the CLI exits 2).
 */
export class SpecError extends Error {}
