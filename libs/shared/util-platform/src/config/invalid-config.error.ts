/** A configuration the process cannot start with; the message names every variable at fault. */
export class InvalidConfigError extends Error {
  override readonly name = 'InvalidConfigError';
}
