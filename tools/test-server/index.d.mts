import type { IncomingHttpHeaders } from 'node:http';

export interface RecordedRequest {
  method: string | undefined;
  path: string;
  query: Record<string, string>;
  headers: IncomingHttpHeaders;
  /** The raw body text. */
  text: string;
  /** The body parsed as JSON, or the raw text when it was not JSON. */
  body: unknown;
}

export interface Reply {
  status?: number;
  headers?: Record<string, string>;
  json?: unknown | ((request: RecordedRequest) => unknown);
  text?: string;
  delayMs?: number;
  /** Destroy the socket without answering. */
  drop?: boolean;
  /** Never answer (the client's timeout must fire). */
  stall?: boolean;
  /** Send the status, headers and the payload, promising 100 bytes more, then close the socket. */
  cutOff?: boolean;
  /** Send the status, headers and the payload, promising 100 bytes more, and never finish. */
  stallBody?: boolean;
}

export interface Recorder {
  url: string;
  requests: RecordedRequest[];
  reply(...replies: Reply[]): void;
  replyAlways(reply: Reply): void;
  /** Resolves once `n` requests have been recorded (a request a client gave up on may arrive late). */
  received(n: number): Promise<RecordedRequest[]>;
  reset(): void;
  close(): Promise<void>;
}

export function startRecorder(): Promise<Recorder>;
