export interface RequestExample {
  operationId: string;
  name: string;
  value: unknown;
}

export function loadSpec(vendor: 'smscx' | 'smsworks' | 'octopush' | 'infobip'): Record<string, unknown>;
export function requestExamples(spec: Record<string, unknown>): RequestExample[];
export function schemaExample(spec: Record<string, unknown>, schemaName: string): Record<string, unknown>;
export function responseExample(spec: Record<string, unknown>, operationId: string): { status: number; json?: unknown } | undefined;
export function keyPaths(value: unknown): string[];
export function exampleOnWire(
  recorder: import('./index.mjs').Recorder,
  spec: Record<string, unknown>,
  operationId: string,
  example: unknown,
  send: (example: never) => Promise<unknown>,
): Promise<{ requests: number; missing: string[] }>;
