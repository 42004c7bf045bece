import { randomBytes } from 'node:crypto';

/**
 * A UUIDv7 (RFC 9562): time-ordered, so ordering rows by id is ordering them by
 * creation, which gives cursor pagination a stable, index-friendly order for free.
 */
export function uuidv7(now = Date.now()): string {
  const bytes = randomBytes(16);
  bytes.writeUIntBE(now, 0, 6);
  bytes[6] = (bytes[6] & 0x0f) | 0x70;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** IDs arrive as free text; anything that is not a UUID cannot name a row of ours. */
export function isUuid(value: string): boolean {
  return UUID.test(value);
}

const MAX_UUIDV7_MS = 2 ** 48 - 1;

/**
 * The lowest and highest UUID whose UUIDv7 time is millisecond `ms` (clamped to what the
 * 48-bit field holds): for rows whose id was made from their creation time, a time bound
 * becomes an id bound that the primary key's index serves.
 */
export function uuidv7Range(ms: number): { lowest: string; highest: string } {
  const hex = Math.min(Math.max(Math.floor(ms), 0), MAX_UUIDV7_MS).toString(16).padStart(12, '0');
  const time = `${hex.slice(0, 8)}-${hex.slice(8)}`;
  return { lowest: `${time}-0000-0000-000000000000`, highest: `${time}-ffff-ffff-ffffffffffff` };
}
