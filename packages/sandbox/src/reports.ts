import type { SandboxState } from './state';
import type { ReportBehaviour, SandboxMessage, Vendor } from './types';
import { chunks } from './vendors/common';

/** The behaviour of today's vendors on a quiet day: one final report per message, delivered. */
export const QUIET: Readonly<Required<Omit<ReportBehaviour, 'delayMs'>> & { delayMs: readonly [number, number] }> = {
  seed: 1,
  failures: 0,
  intermediate: false,
  duplicates: 0,
  outOfOrder: false,
  perPart: false,
  drop: 0,
  late: 0,
  delayMs: [0, 0],
};

export type Behaviour = typeof QUIET;

/** Checks a behaviour sent to the control API; throws a TypeError naming the bad field. */
export function behaviourOf(input: unknown): Behaviour {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) throw new TypeError('report behaviour must be an object');
  const b = input as Record<string, unknown>;
  const known = Object.keys(QUIET);
  for (const key of Object.keys(b)) if (!known.includes(key)) throw new TypeError(`unknown report switch ${key} (known: ${known.join(', ')})`);
  const share = (key: 'failures' | 'duplicates' | 'drop' | 'late'): number => {
    const v = b[key] ?? 0;
    if (typeof v !== 'number' || !(v >= 0 && v <= 1)) throw new TypeError(`${key} must be a share from 0 to 1`);
    return v;
  };
  const flag = (key: 'intermediate' | 'outOfOrder' | 'perPart'): boolean => {
    const v = b[key] ?? false;
    if (typeof v !== 'boolean') throw new TypeError(`${key} must be true or false`);
    return v;
  };
  const seed = b['seed'] ?? QUIET.seed;
  if (!Number.isSafeInteger(seed)) throw new TypeError('seed must be a whole number');
  const delay = b['delayMs'] ?? [0, 0];
  if (!Array.isArray(delay) || delay.length !== 2 || !delay.every((d) => Number.isInteger(d) && d >= 0 && d <= 600_000) || delay[0] > delay[1]) {
    throw new TypeError('delayMs must be [min, max] in whole milliseconds, 0 ≤ min ≤ max ≤ 600000');
  }
  const drop = share('drop');
  const late = share('late');
  // One draw decides a report's fate (dropped below `drop`, held below `drop + late`): the two cannot add up to more than every report.
  if (drop + late > 1) throw new TypeError(`drop + late must be at most 1 (got ${drop} + ${late})`);
  return { seed: seed as number, failures: share('failures'), duplicates: share('duplicates'), drop, late, intermediate: flag('intermediate'), outOfOrder: flag('outOfOrder'), perPart: flag('perPart'), delayMs: [delay[0], delay[1]] };
}

/** mulberry32: small, fast and the same on every machine for the same seed. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** How one vendor writes its reports; the only vendor knowledge the behaviour switches need. */
export interface VendorReporter {
  vendor: Vendor;
  /** Reports per POST (SMS.CX 200, Infobip 100 in the sandbox, 1 for the others). */
  perPost: number;
  /** The vendor's statuses for a message that went out: intermediate ones in order, then the final. */
  lifecycle(message: SandboxMessage, failed: boolean): { intermediate: string[]; final: string };
  /** Stores the final status where the vendor's lookups read it. */
  settle(message: SandboxMessage, final: string, at: Date): void;
  item(message: SandboxMessage, status: string, at: Date): unknown;
  body(items: unknown[]): unknown;
}

/**
 * Settles messages that went out and posts their reports to `url` as the switches say: a seeded
 * share ends in the vendor's final failure; with `intermediate` the vendor's in-flight reports come
 * first; `perPart` repeats each report once per SMS part; `drop` loses a share of reports for good
 * (listed in `deliveries()` as dropped); `late` holds a share back until `release()` (posted then,
 * listed as late); `duplicates` posts a share two or three times;
 * `outOfOrder` shuffles them; `delayMs` holds each POST back at random. Returns the final items
 * of messages that have no URL (for a vendor whose reports are then pulled).
 */
export function deliverReports(state: SandboxState, url: string | undefined | ((message: SandboxMessage) => string | undefined), messages: SandboxMessage[], reporter: VendorReporter): unknown[] {
  const b = state.behaviour;
  const random = state.random;
  const urlOf = typeof url === 'function' ? url : () => url;
  const planned: Array<{ url: string; item: unknown }> = [];
  const finals: unknown[] = [];
  const now = Date.now();
  for (const m of messages) {
    const failed = b.failures > 0 && random() < b.failures;
    const { intermediate, final } = reporter.lifecycle(m, failed);
    const done = new Date(now);
    reporter.settle(m, final, done);
    const target = urlOf(m);
    if (!target) {
      finals.push(reporter.item(m, final, done));
      continue;
    }
    const statuses = b.intermediate ? [...intermediate, final] : [final];
    const parts = b.perPart ? Math.max(1, m.parts) : 1;
    let at = now - statuses.length * parts;
    for (const status of statuses) for (let p = 0; p < parts; p++) planned.push({ url: target, item: reporter.item(m, status, new Date(at++)) });
  }
  const posts: Array<{ url: string; item: unknown }> = [];
  for (const report of planned) {
    // One draw for both switches, taken only when one is on: a run without `late` draws as before it existed.
    const fate = b.drop > 0 || b.late > 0 ? random() : 1;
    if (fate < b.drop) {
      state.dlr.done.push({ vendor: reporter.vendor, url: report.url, body: reporter.body([report.item]), attempts: 0, ok: false, dropped: true });
      continue;
    }
    if (fate < b.drop + b.late) {
      state.hold({ vendor: reporter.vendor, url: report.url, body: reporter.body([report.item]) });
      continue;
    }
    const copies = b.duplicates > 0 && random() < b.duplicates ? 2 + Math.floor(random() * 2) : 1;
    for (let c = 0; c < copies; c++) posts.push(report);
  }
  if (b.outOfOrder) {
    for (let i = posts.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [posts[i], posts[j]] = [posts[j]!, posts[i]!];
    }
  }
  const byUrl = new Map<string, unknown[]>();
  for (const { url: target, item } of posts) {
    let list = byUrl.get(target);
    if (!list) byUrl.set(target, (list = []));
    list.push(item);
  }
  const [min, max] = b.delayMs;
  for (const [target, items] of byUrl) {
    for (const group of chunks(items, reporter.perPost)) {
      const body = reporter.body(group);
      const delay = max > 0 ? min + Math.floor(random() * (max - min + 1)) : 0;
      if (delay === 0) state.dlr.post(reporter.vendor, target, body);
      else state.report(delay, () => state.dlr.post(reporter.vendor, target, body));
    }
  }
  return finals;
}
