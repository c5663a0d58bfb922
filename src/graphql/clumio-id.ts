import { BadUserInputError } from '../errors';

/** Unpaired UTF-16 surrogates: such a string has no UTF-8 form, so it cannot go in a URL. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** A Clumio ID argument: non-empty, no surrounding whitespace, of a sane length, valid Unicode. */
export function checkClumioId(value: string, argument: string): string {
  // Typed as a string, but a federation representation is arbitrary JSON from the router.
  if (typeof value !== 'string' || value.length === 0 || value.length > 256 || value.trim() !== value || LONE_SURROGATE.test(value)) {
    throw new BadUserInputError(
      `\`${argument}\` must be a Clumio ID (1 to 256 characters of valid Unicode, no surrounding spaces).`,
      argument,
    );
  }
  return value;
}
