/** A bad command-line argument: which option, and why (with the valid values where there is a list). Exit 2. */
export class ArgumentError extends Error {
  constructor(
    readonly option: string,
    why: string,
  ) {
    super(`${option}: ${why}`);
    this.name = "ArgumentError";
  }
}
