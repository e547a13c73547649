import { randomBytes, randomUUID } from 'node:crypto';
import { countSegments, normalizePhone } from '@msgkit/core';
import type { SandboxState } from '../state';
import type { SandboxMessage } from '../types';
import type { OpContext } from '../vendor';

export const uuid = (): string => randomUUID();

/** Random decimal digits, not starting with 0. */
export function numericId(digits: number): string {
  const bytes = randomBytes(digits);
  let out = String(1 + (bytes[0]! % 9));
  for (let i = 1; i < digits; i++) out += String(bytes[i]! % 10);
  return out;
}

export function upperHex(chars: number): string {
  return randomBytes(Math.ceil(chars / 2)).toString('hex').slice(0, chars).toUpperCase();
}

/** SMS parts for a text: core's countSegments, at least 1 (an empty text still costs a message). */
export function smsParts(text: string | undefined): number {
  return Math.max(1, text ? countSegments(text).segments : 1);
}

export const round = (n: number, digits = 4): number => Math.round(n * 10 ** digits) / 10 ** digits;

/**
 * Makes messages "go out": now, or when their scheduled time comes. `onSent` runs at that moment
 * (status change), then `onDelivered` after the DLR delay (status change and callback). Nothing
 * runs for a message cancelled meanwhile.
 */
export function dispatch(
  state: SandboxState,
  messages: SandboxMessage[],
  now: Date,
  hooks: { sentStatus: string; onDelivered: (delivered: SandboxMessage[]) => void; cancelled: (m: SandboxMessage) => boolean },
): void {
  if (messages.length === 0) return;
  const due = messages[0]!.scheduledAt;
  const wait = due ? due.getTime() - now.getTime() : 0;
  const goOut = (): void => {
    const live = messages.filter((m) => !hooks.cancelled(m));
    for (const m of live) m.status = hooks.sentStatus;
    state.report(state.options.dlrDelayMs, () => {
      const delivered = live.filter((m) => !hooks.cancelled(m));
      if (delivered.length > 0) hooks.onDelivered(delivered);
    });
  };
  if (wait > 0) state.later(wait, goOut);
  else goOut();
}

/** True when a scheduled message's time has come (cancel is then too late). */
export function isDue(message: SandboxMessage, now: Date): boolean {
  return message.scheduledAt === undefined || message.scheduledAt.getTime() <= now.getTime();
}

export function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

export function newMessage(ctx: OpContext, fields: Omit<SandboxMessage, 'vendor' | 'operationId' | 'createdAt' | 'extra'> & { extra?: Record<string, unknown> }): SandboxMessage {
  const message: SandboxMessage = { vendor: ctx.vendor, operationId: ctx.operationId, createdAt: ctx.now, extra: {}, ...fields };
  ctx.state.store(ctx.vendor).set(message.id, message);
  return message;
}

const phoneCache = new Map<string, { ok: boolean; country?: string }>();
const E164 = /^\+[1-9]\d{6,14}$/;

/**
 * core's normalizePhone, with a shortcut for lists: numbers already in E.164 that share their first
 * six digits and their length share country and validity under core's metadata (it validates by
 * length and leading digits), so 25 000 numbers cost a few hundred parses, not 25 000.
 */
export function checkPhone(input: string, defaultCountry?: string): { ok: true; e164: string; country: string } | { ok: false } {
  if (E164.test(input)) {
    const key = `${input.slice(0, 7)}:${input.length}`;
    let known = phoneCache.get(key);
    if (!known) {
      const result = normalizePhone(input);
      known = result.ok && result.e164 === input ? { ok: true, country: result.country } : { ok: false };
      // Only a number that came back unchanged says something about its neighbours.
      if (result.ok && result.e164 !== input) return { ok: true, e164: result.e164, country: result.country ?? 'XX' };
      if (phoneCache.size > 100_000) phoneCache.clear();
      phoneCache.set(key, known);
    }
    return known.ok ? { ok: true, e164: input, country: known.country ?? 'XX' } : { ok: false };
  }
  const result = normalizePhone(input, defaultCountry ? { defaultCountry } : undefined);
  return result.ok ? { ok: true, e164: result.e164, country: result.country ?? 'XX' } : { ok: false };
}
