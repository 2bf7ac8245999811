/**
 * The one base of the house's typed errors (ARCHITECTURE.md rule 3, "Errors are values with
 * codes"): a code from a closed union, a message a person can act on, and the cause kept for
 * the stack. Each subsystem declares its codes and a thin subclass that names itself, so
 * callers still tell the errors apart with `instanceof` and by `name`.
 */
export class CodedError<Code extends string> extends Error {
  readonly code: Code;

  constructor(code: Code, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }

  /** What may cross a process boundary: the code and the message, never the stack or cause. */
  toValue(): { code: Code; message: string } {
    return { code: this.code, message: this.message };
  }
}
