import { UCS_LIMITS as UCS } from './gsm7';

/**
 * @internal End of the full UCS-2 part starting at `start`: 67 units, or 66 when the 67th is the
 * high half of a surrogate pair (whether a unit pairs depends only on its neighbour, so no scan).
 */
export function ucs2PartEnd(text: string, start: number): number {
  const end = start + UCS.multi;
  return (text.charCodeAt(end - 1) & 0xfc00) === 0xd800 && (text.charCodeAt(end) & 0xfc00) === 0xdc00 ? end - 1 : end;
}

/** @internal Parts, capacity and room left of `text` sent as UCS-2 (jumping 67 units at a time). */
export function ucs2Shape(text: string): { segments: number; perSegment: number; remaining: number } {
  const n = text.length;
  if (n <= UCS.single) return { segments: n === 0 ? 0 : 1, perSegment: UCS.single, remaining: UCS.single - n };
  let segments = 0;
  let start = 0;
  for (; start + UCS.multi < n; segments++) start = ucs2PartEnd(text, start);
  return { segments: segments + 1, perSegment: UCS.multi, remaining: UCS.multi - (n - start) };
}

/** @internal The UCS-2 parts of `text`; an empty text is no part. */
export function ucs2Parts(text: string): string[] {
  const n = text.length;
  if (n === 0) return [];
  if (n <= UCS.single) return [text];
  const parts: string[] = [];
  let start = 0;
  while (start + UCS.multi < n) {
    const end = ucs2PartEnd(text, start);
    parts.push(text.slice(start, end));
    start = end;
  }
  parts.push(text.slice(start));
  return parts;
}
