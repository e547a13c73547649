import type { Recorder } from './index.mjs';

export interface RequestConstraint {
  operationId: string;
  in: 'body' | 'params';
  /** In the spec's own names, `[]` for a list's items. */
  path: string[];
  keyword: string;
  value: unknown;
}

export function requestConstraints(spec: Record<string, unknown>): RequestConstraint[];
export function enforcement(
  spec: Record<string, unknown>,
  calls: Record<string, (body: never, params: Record<string, never>) => Promise<unknown>>,
  recorder: Recorder,
  options?: { aliases?: Record<string, string>; operations?: string[] },
): Promise<{ checked: number; unenforced: Array<{ constraint: string; why: string }> }>;
export function editedCopy(spec: Record<string, unknown>, edit: (copy: any) => void): Record<string, unknown>;
