/** Small HTTP helpers for the emulator tests (real sockets, global fetch). */
import type { WireEc2Backup, WireEc2BackupList, WireErrorBody } from '../../src/clumio/wire-types';
import { EC2_BACKUPS_PATH } from '../../src/clumio/wire-types';
import { DEFAULT_EMULATOR_TOKEN } from '../../src/emulator';

export const AUTH = { authorization: `Bearer ${DEFAULT_EMULATOR_TOKEN}` } as const;

export interface RawResponse {
  status: number;
  contentType: string | null;
  headers: Headers;
  text: string;
}

export async function get(baseUrl: string, path: string, headers: Record<string, string> = AUTH): Promise<RawResponse> {
  const response = await fetch(baseUrl + path, { headers });
  const text = await response.text();
  return { status: response.status, contentType: response.headers.get('content-type'), headers: response.headers, text };
}

/** Builds a list path from parameters (undefined ones left out), URL-encoding each value. */
export function listPath(params: Record<string, string | number | object | undefined> = {}): string {
  const parts: string[] = [];
  for (const [name, value] of Object.entries(params)) {
    if (value === undefined) continue;
    const text = typeof value === 'object' ? JSON.stringify(value) : String(value);
    parts.push(`${name}=${encodeURIComponent(text)}`);
  }
  return parts.length === 0 ? EC2_BACKUPS_PATH : `${EC2_BACKUPS_PATH}?${parts.join('&')}`;
}

/** GETs a list page and asserts a 200 before parsing, printing the body when it is not. */
export async function list(
  baseUrl: string,
  params: Record<string, string | number | object | undefined> = {},
  headers: Record<string, string> = AUTH,
): Promise<WireEc2BackupList & { items: WireEc2Backup[] }> {
  const response = await get(baseUrl, listPath(params), headers);
  if (response.status !== 200) {
    throw new Error(`expected 200 for ${listPath(params)}, got ${response.status}: ${response.text}`);
  }
  const body = JSON.parse(response.text) as WireEc2BackupList;
  return { ...body, items: body._embedded?.items ?? [] };
}

/** Every page of a listing, following `_next` hrefs as Clumio's Python paginator does. */
export async function listAll(
  baseUrl: string,
  params: Record<string, string | number | object | undefined>,
  headers: Record<string, string> = AUTH,
): Promise<{ items: WireEc2Backup[]; pages: number }> {
  const items: WireEc2Backup[] = [];
  let path: string | undefined = listPath(params);
  let pages = 0;
  while (path !== undefined) {
    const response = await get(baseUrl, path, headers);
    if (response.status !== 200) throw new Error(`GET ${path}: ${response.status} ${response.text}`);
    const body = JSON.parse(response.text) as WireEc2BackupList;
    items.push(...(body._embedded?.items ?? []));
    pages += 1;
    path = body._links?._next?.href ?? undefined;
  }
  return { items, pages };
}

export function errorOf(text: string): { code: number | null | undefined; message: string } {
  const body = JSON.parse(text) as WireErrorBody;
  const first = body.errors?.[0];
  return { code: first?.error_code, message: first?.error_message ?? '' };
}

export const startMs = (b: WireEc2Backup): number => Date.parse(b.start_timestamp ?? '');

/** The emulator's total order: (start_timestamp, id) ascending. */
export function compareAscending(a: WireEc2Backup, b: WireEc2Backup): number {
  const d = startMs(a) - startMs(b);
  if (d !== 0) return d;
  const x = a.id ?? '';
  const y = b.id ?? '';
  return x < y ? -1 : x > y ? 1 : 0;
}
