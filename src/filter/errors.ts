/**
 * A display filter that does not compile: the message, and where in the expression, shown as
 * Wireshark shows it (the expression, then a caret under the culprit):
 *
 *   "tcp.prot" is neither a field nor a protocol name.
 *       tcp.prot == 1
 *       ^~~~~~~~
 */
export class FilterError extends Error {
  /** the message without the expression and caret lines */
  readonly reason: string;
  /** 0-based offset and length of the culprit in the expression; column is 1-based */
  readonly position: number;
  readonly length: number;
  readonly expression: string;

  constructor(reason: string, expression: string, position: number, length: number) {
    const at = Math.max(0, Math.min(position, expression.length));
    const len = Math.max(1, length);
    super(`${reason}\n    ${expression}\n    ${" ".repeat(at)}^${"~".repeat(len - 1)}`);
    this.name = "FilterError";
    this.reason = reason;
    this.position = at;
    this.length = len;
    this.expression = expression;
  }

  get column(): number {
    return this.position + 1;
  }
}
