/**
 * Lossless JSON for Clumio bodies. `size` and `utilized_size_in_bytes` are 64-bit integers and may
 * exceed 2^53, where JSON.parse would silently round them. Before parsing, integer literals of 16 or
 * more digits under those keys are turned into strings; everything else parses as usual.
 *
 * The pattern can only match keys: inside a JSON string a quote is escaped (`\"`), so `"size":`
 * followed by digits never occurs within a value.
 */
const WIDE_INTEGER = /("(?:size|utilized_size_in_bytes)"\s*:\s*)(\d{16,})(?=\s*[,}\]])/g;

export function parseClumioJson(text: string): unknown {
  return JSON.parse(text.includes('size"') ? text.replace(WIDE_INTEGER, '$1"$2"') : text);
}
