/**
 * Whether an If-None-Match header matches `etag`: a list of entity tags or `*`; weak tags match
 * too (RFC 9110 §13.1.2: If-None-Match uses the weak comparison).
 */
export function etagMatches(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false;
  if (header.trim() === '*') return true;
  return header.split(',').some((tag) => tag.trim().replace(/^W\//, '') === etag);
}
