/** The four vendor APIs the sandbox serves. */
export type Vendor = 'smscx' | 'smsworks' | 'octopush' | 'infobip';

/** The four vendors, in the order the sandbox serves them. */
export const VENDORS: readonly Vendor[] = ['smscx', 'smsworks', 'octopush', 'infobip'];

/** Options of `startSandbox(options)`. */
export interface SandboxOptions {
  /** TCP port; 0 (the default) picks a free one. */
  port?: number;
  /** Interface to listen on. Only loopback is supported. */
  host?: '127.0.0.1';
  /**
   * Delay before a delivery report is POSTed for a message that went out (ms, default 20). Scheduled
   * messages report when they fall due.
   */
  dlrDelayMs?: number;
  /** Attempts per delivery-report POST before giving up (default 3, with 50/100/200 ms back-off). */
  dlrAttempts?: number;
  /**
   * How long one delivery-report POST may wait for its answer before it is abandoned and tried again
   * (ms, default 2000). A receiver that records durably before answering can take longer on a loaded
   * machine; a test of one gives it the time a vendor would.
   */
  dlrTimeoutMs?: number;
  /** How delivery reports are posted (duplicates, order, parts, drops, delays, failures); also settable through `reports.set` and `POST /__sandbox/reports`. */
  reports?: ReportBehaviour;
  /**
   * Account-level delivery-report URLs, used when a request names none (SMS.CX app DLR URL, The SMS
   * Works global URL, Octopush back-office `callback_url_for_deliveries`, Infobip account webhook).
   * Octopush has no per-request callback, so this is the only way to get its reports.
   */
  webhooks?: Partial<Record<Vendor, string>>;
  /**
   * Largest request body taken, in bytes (default 48 MiB, `MAX_BODY_BYTES`: a maximal The SMS Works
   * batch of 5000 messages fits with room to spare). A larger body gets 413 and the connection is closed.
   */
  maxBodyBytes?: number;
  /** How long a request body may take to arrive (ms, default 10 000); a slower one gets 408 and the connection is closed. */
  bodyTimeoutMs?: number;
}

/** One request the sandbox accepted and acted on (estimates, idempotent replays and refused repeats, such as an Octopush request_id answered 120, are not recorded). */
export interface ReceivedRequest {
  vendor: Vendor;
  operationId: string;
  method: string;
  /** Path below the vendor's base URL, e.g. `/sms` for SMS.CX. */
  path: string;
  query: Record<string, unknown>;
  /**
   * Lower-case header names. Credentials (Authorization, X-API-KEY, api-key, api-login) are masked
   * to their scheme word and first two characters (`App ab…`), as are credential fields and URL
   * passwords in `query` and `body`.
   */
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
  receivedAt: Date;
  /** Ids of the messages this request created (empty for reads and cancels). */
  messageIds: string[];
}

/**
 * One request an operation of a vendor API answered (after validation), whether or not it acted:
 * estimates, balances and other reads included. Faulted and invalid requests are not listed.
 */
export interface AnsweredRequest {
  vendor: Vendor;
  operationId: string;
  method: string;
  /** Path below the vendor's base URL. */
  path: string;
  /** The HTTP status the operation answered. */
  status: number;
  /** True when the request was recorded as acted on (and is in `received`): a send, a cancel, some reads. */
  acted: boolean;
  /** How many messages it created: more than 0 only for a send or a schedule, the requests that are paid. */
  messages: number;
  /** When the request reached its operation (its body read). */
  receivedAt: Date;
  /** When the operation had its answer ready, just before it was written: the client cannot have read it earlier. */
  answeredAt: Date;
}

/** One message the sandbox holds, in the vendor's own vocabulary for ids and status. */
export interface SandboxMessage {
  vendor: Vendor;
  operationId: string;
  /** The vendor's message id (SMS.CX msgId, The SMS Works messageid, Octopush ticket, Infobip messageId). */
  id: string;
  /** The vendor's grouping id: SMS.CX campaignId, The SMS Works batchid, Octopush ticket, Infobip bulkId. */
  groupId?: string;
  /** Recipient as sent (phone number, e-mail address, ...). */
  to: string;
  from?: string;
  text?: string;
  channel: string;
  /** Vendor status text: e.g. ACCEPTED, SCHEDULED, SENT, DELIVERED, CANCELLED. */
  status: string;
  /** SMS parts per recipient, from core's countSegments (1 for non-SMS channels). */
  parts: number;
  /** Cost charged for this message in the account currency. */
  cost: number;
  createdAt: Date;
  /** When a scheduled message falls due; undefined when it went out at once. */
  scheduledAt?: Date;
  /** Where delivery reports for this message go, if anywhere. */
  callbackUrl?: string;
  /** Anything vendor-specific the sandbox needs to answer lookups (tag, callbackData, ...). */
  extra: Record<string, unknown>;
}

/** A fault the sandbox answers with instead of doing any business logic. */
export interface FaultSpec {
  /** Only requests to this vendor (default: any). */
  vendor?: Vendor;
  /** Only this path: vendor-relative (`/sms`) or full (`/smscx/sms`). Default: any. */
  path?: string;
  /** Only this HTTP method (case-insensitive). Default: any. */
  method?: string;
  /** How many matching requests to fault (default 1). */
  count?: number;
  /** Answer with this status (and `headers`, `body`). */
  status?: number;
  headers?: Record<string, string>;
  /** JSON body (a string is sent as is). */
  body?: unknown;
  /** Wait this long first. With neither `status` nor `drop`, the request then proceeds normally. */
  delayMs?: number;
  /** Destroy the connection without answering. */
  drop?: boolean;
  /**
   * Let the vendor act first (validate, store, bill, report), then fault the answer: `status` (with
   * `headers`, `body`) replaces it, `drop` destroys the connection instead, and `delayMs` alone only
   * delays it. The answer is lost although the vendor accepted the request: the billing trap.
   */
  after?: boolean;
}

/** A delivery-report POST the sandbox made (or tried). */
export interface DeliveryAttempt {
  vendor: Vendor;
  url: string;
  body: unknown;
  /** HTTP status of the last attempt (a 3xx is not followed), or undefined when the connection failed. */
  status?: number;
  attempts: number;
  ok: boolean;
  /** Why the sandbox made no attempt: `not an http(s) URL` or `the sandbox itself`. */
  refused?: string;
  /** Lost on purpose by the `drop` report switch: never posted. */
  dropped?: true;
  /** Held back by the `late` report switch and posted by `reports.release()`. */
  late?: true;
}

/**
 * How the sandbox posts delivery reports, to test a receiver against what real vendors do. Every
 * random choice comes from `seed`, so a run can be repeated. Default: one final DELIVERED report
 * per message, in order, once.
 */
export interface ReportBehaviour {
  /** Seed of every random choice below (default 1). */
  seed?: number;
  /** Share of messages (0–1) that end in the vendor's final failure (SMS.CX FAILED, The SMS Works UNDELIVERABLE, Octopush NOT_DELIVERED, Infobip UNDELIVERABLE_NOT_DELIVERED). */
  failures?: number;
  /** Also post the vendor's in-flight reports (SMS.CX ACCEPTED/SENT, Infobip PENDING_ENROUTE/DELIVERED_TO_OPERATOR, ...) before the final one. */
  intermediate?: boolean;
  /** Share of reports (0–1) posted two or three times. */
  duplicates?: number;
  /** Shuffle the reports of a send before posting them. */
  outOfOrder?: boolean;
  /** One report per SMS part of a multipart message instead of one per message. */
  perPart?: boolean;
  /** Share of reports (0–1) never posted. */
  drop?: number;
  /**
   * Share of reports (0–1) held back past any horizon: posted only when `reports.release()` (or
   * `POST /__sandbox/reports/release`) is called, so a test decides when "late" is without waiting
   * on a clock. `settled()` does not wait for them. `drop + late` is at most 1 (one draw decides).
   */
  late?: number;
  /** Extra delay of each POST, uniformly in [min, max] ms. */
  delayMs?: [number, number];
}

/**
 * A running sandbox (from `startSandbox`): its URLs, what it received, stored and posted, its
 * faults and report switches.
 */
export interface Sandbox {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  readonly port: number;
  /** Base URL to give each vendor's client. */
  readonly baseUrls: Readonly<Record<Vendor, string>>;
  /** Accepted requests, oldest first (optionally of one vendor). */
  received(vendor?: Vendor): ReceivedRequest[];
  /** Every request an operation answered, oldest first, reads and estimates included (see AnsweredRequest). */
  requests(vendor?: Vendor): AnsweredRequest[];
  /** Stored messages, oldest first (optionally of one vendor). */
  messages(vendor?: Vendor): SandboxMessage[];
  /** Delivery-report POSTs finished so far (URL passwords masked). */
  deliveries(vendor?: Vendor): DeliveryAttempt[];
  /** Resolves when every delivery report of messages already sent has been POSTed or given up (scheduled messages not yet due are not waited for). */
  settled(): Promise<void>;
  readonly faults: {
    /** Arms a fault for the next matching requests (`count`, default 1). */
    add(fault: FaultSpec): void;
    /** Faults still armed (with their remaining count). */
    list(): FaultSpec[];
    /** Disarms every fault. */
    clear(): void;
  };
  /** The report switches (see ReportBehaviour); `set` replaces them all and reseeds. */
  readonly reports: {
    /** Replaces every report switch (unset ones take their defaults) and reseeds. */
    set(behaviour: ReportBehaviour): void;
    /** The report switches in force, defaults included. */
    get(): Required<ReportBehaviour>;
    /** How many reports the `late` switch holds back (of one vendor, or all). */
    held(vendor?: Vendor): number;
    /** Posts the held-back reports (of one vendor, or all) now; `settled()` then waits for them. Returns how many. */
    release(vendor?: Vendor): number;
  };
  /** Forgets received requests, messages, dedupe keys, deliveries, held reports, faults and scenarios, and restores the report switches given at start. */
  reset(): void;
  /** Stops listening and ends open connections; resolves when the server is closed. */
  close(): Promise<void>;
}

/** What a vendor handler answers. `body: undefined` sends no body. */
export interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}
