/**
 * `msgkit send --journal J --failover-on-report` / `--failover-after-no-report <duration>`: which
 * recipients a provider of the chain sent move on to the next one, judged once, before anything is
 * sent, from the journal's delivery reports (`msgkit webhooks serve --journal`, its spool included)
 * by core's rule (`failoverProofs`). Reports that arrive while the run sends count in the next run.
 * What it will do is printed first; `--dry-run` prints it and sends nothing.
 */
import { existsSync } from 'node:fs';
import { JournalMismatchError, failoverProofs, type MoveProof } from '@msgkit/core';
import { JournalStates } from './deliveryStates';
import { CliError } from './io';

/** How recipients move on, as asked on the command line: nothing is assumed. */
export interface MoveRules {
  onReport: boolean;
  /** `--failover-after-no-report`, in ms. */
  timerMs?: number;
}

export interface MovePlan {
  /** The proofs of the recipients that move, by batch index. */
  byBatch: Map<number, Map<string, MoveProof>>;
  total: number;
  /** One line per step of the chain that moves someone: `a → b: 3 (undelivered 2, timer 1)`. */
  steps: string[];
}

const UNITS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `30m`, `2h`, `90s`, `1d`: a duration with its unit (none is assumed), in ms; undefined when it is not one. */
export function parseDuration(text: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?)(s|m|h|d)$/.exec(text.trim());
  if (!match) return undefined;
  const ms = Number(match[1]) * UNITS[match[2]!]!;
  return ms > 0 && Number.isFinite(ms) ? Math.round(ms) : undefined;
}

/** The moves the journal at `path` proves for the chain `names`, as of `now` (none for a journal not written yet). */
export async function planMoves(path: string, names: readonly string[], rules: MoveRules, now = new Date()): Promise<MovePlan> {
  const plan: MovePlan = { byBatch: new Map(), total: 0, steps: [] };
  if (!existsSync(path)) return plan;
  const states = await JournalStates.read(path).catch((error: Error) => {
    throw new CliError(`cannot read the journal ${path}: ${error.message}; nothing was sent`);
  });
  const chain = states.header.chain;
  if (states.header.v !== 2 || !chain || chain.join(',') !== names.join(',')) {
    throw new CliError(`refusing to move recipients on: the journal ${path} records the chain ${chain?.join(',') ?? states.header.provider}, not ${names.join(',')}; nothing was sent`);
  }
  const counts = new Map<string, Map<string, number>>();
  for (const index of states.contents.attempts.keys()) {
    const attempts = states.contents.attempts.read(path, index);
    const batch = attempts[0]?.recipients ?? [];
    let proofs: Map<string, MoveProof>;
    try {
      proofs = failoverProofs(chain, batch, attempts, {
        report: (to, sender) => states.eventOf(index, sender, to),
        onReport: rules.onReport,
        ...(rules.timerMs !== undefined && { timer: { afterMs: rules.timerMs, now, sentAt: (a) => ('at' in a && typeof a.at === 'string' ? new Date(a.at) : undefined) } }),
      });
    } catch (error) {
      if (error instanceof JournalMismatchError) throw new CliError(`refusing to move recipients on: ${error.message}; nothing was sent`);
      throw error;
    }
    if (proofs.size === 0) continue;
    plan.byBatch.set(index, proofs);
    for (const proof of proofs.values()) {
      const from = attempts[proof.attempt]!.sender;
      const step = `${from} → ${chain[chain.indexOf(from) + 1]}`;
      const why = proof.kind === 'report' ? proof.status : 'timer';
      let byWhy = counts.get(step);
      if (!byWhy) counts.set(step, (byWhy = new Map()));
      byWhy.set(why, (byWhy.get(why) ?? 0) + 1);
      plan.total++;
    }
  }
  for (const [step, byWhy] of counts) {
    const n = [...byWhy.values()].reduce((a, b) => a + b, 0);
    plan.steps.push(`${step}: ${n} (${[...byWhy].map(([why, k]) => `${why} ${k}`).join(', ')})`);
  }
  return plan;
}
