/**
 * InfobipClient: the OMNI (failover) API over the generated OmniApi. Every method checks and
 * normalizes its input first (prepare.ts, rules.ts), then runs one logical operation under core's
 * HTTP policy. The API key lives in a #private field and reaches the generated code only through a
 * function, so no enumerable property, inspection or serialization of the client shows it.
 */
import { ValidationError } from '@msgkit/core';
import {
  execute,
  pathIdIssues,
  requestObject,
  type ClientOptions,
  type ClientPolicy,
  type NoteHandler,
  type Operation,
  type RequestOptions,
  type WithRequestId,
} from '@msgkit/core/internal';
import { connect, phoneContext, sendOmni } from './connection';
import { infobipVendor } from './errors';
import { AccountApi, OmniApi } from './generated';
import type { AccountBalance, ListScenariosResponse, OmniLogsResponse, OmniReportsResponse, Scenario, SendOmniAdvancedResponse } from './generated';
import type { OmniReportsQuery, ScenarioListQuery } from './types';
import {
  prepareList,
  prepareLogs,
  prepareReports,
  prepareScenario,
  prepareScenarioKey,
  prepareUpdate,
  type OmniLogsQuery,
  type OmniSendRequest,
  type ScenarioInput,
} from './prepare';

/**
 * Options of `new InfobipClient(options)`: the API key and the account's own API host (each read
 * from the environment when not given), the country of national numbers, and the client options
 * every msgkit client takes (retries, timeouts, logger, hooks).
 */
export interface InfobipClientOptions extends ClientOptions {
  /**
   * The API key, as shown in the Infobip web interface; a leading `App ` is accepted and not doubled.
   * Not given: INFOBIP_API_KEY.
   */
  apiKey?: string | undefined;
  /**
   * Your account's own API host, e.g. `https://xxxxx.api.infobip.com` (a bare host gets `https://`).
   * Not given: INFOBIP_BASE_URL; one of them is required, as every Infobip account has its own host (S13).
   */
  baseUrl?: string | undefined;
  /** ISO 3166-1 alpha-2 country for phone numbers written without a country code. */
  defaultCountry?: string | undefined;
  /** A fetch implementation to use instead of the global one. */
  fetch?: ((input: string, init: RequestInit) => Promise<Response>) | undefined;
  /**
   * Receives what is sent as given although Infobip will take it differently (a validityPeriod it
   * cuts to 48 hours, a sendAt already past). Default: a `warn` log line with logging on, else each
   * distinct note printed once as a `MsgkitNote` process warning. A handler that throws stops the
   * call before anything is sent.
   */
  onNote?: NoteHandler | undefined;
}

export type { OmniLogsQuery, OmniSendRequest, ScenarioInput };

/** A key goes into the URL path: `.`, `..`, `a/b` or `%2e%2e` would address another resource. */
function scenarioPathKey(scenarioKey: string): string {
  if (typeof scenarioKey === 'string' && scenarioKey !== '') {
    const issues = pathIdIssues(scenarioKey, 'scenarioKey');
    if (issues.length > 0) throw new ValidationError(issues);
  }
  return scenarioKey;
}

/**
 * The Infobip client for OMNI failover messages: `client.omni.send`, its scenarios, delivery
 * reports and logs. Requests are checked against Infobip's rules before the wire, and a send (or a
 * scenario create) is never repeated once it may have reached Infobip.
 */
export class InfobipClient {
  /** The account host requests go to (not a secret). */
  readonly baseUrl: string;
  readonly omni: {
    /** Sends one OMNI failover message. Paid, and never repeated once it may have reached Infobip. */
    send(request: OmniSendRequest, options?: RequestOptions): Promise<WithRequestId<SendOmniAdvancedResponse>>;
    scenarios: {
      /** The account's OMNI scenarios, a page at a time. */
      list(query?: ScenarioListQuery, options?: RequestOptions): Promise<WithRequestId<ListScenariosResponse>>;
      /**
       * Creates a scenario. Never repeated once it may have reached Infobip: a second POST would be
       * a second scenario.
       */
      create(request: ScenarioInput, options?: RequestOptions): Promise<WithRequestId<Scenario>>;
      /** One scenario by its key. */
      get(scenarioKey: string, options?: RequestOptions): Promise<WithRequestId<Scenario>>;
      /** Replaces a scenario (retried safely: the same PUT leaves the same state). */
      update(scenarioKey: string, request: ScenarioInput, options?: RequestOptions): Promise<WithRequestId<Scenario>>;
    };
    /** Delivery reports not fetched before; Infobip returns each report once. */
    reports(query?: OmniReportsQuery, options?: RequestOptions): Promise<WithRequestId<OmniReportsResponse>>;
    /** Logs of the last 48 hours, newest first. */
    logs(query?: OmniLogsQuery, options?: RequestOptions): Promise<WithRequestId<OmniLogsResponse>>;
  };
  readonly account: {
    /** GET /account/1/balance: the balance and its currency (a read, never billed). */
    balance(options?: RequestOptions): Promise<WithRequestId<AccountBalance>>;
  };

  #policy: ClientPolicy;

  constructor(options: InfobipClientOptions = {}) {
    const connection = connect(options);
    this.baseUrl = connection.baseUrl;
    const api = new OmniApi(connection.configuration);
    const accountApi = new AccountApi(connection.configuration);
    this.#policy = connection.policy;

    this.omni = {
      send: (request, callOptions) => sendOmni(connection, api, request, callOptions),
      scenarios: {
        list: async (query, callOptions) => {
          const params = prepareList(requestObject(query, { optional: true }));
          return this.#run({ idempotent: true, attempt: (init) => api.listScenariosRaw(params, init) }, callOptions);
        },
        create: async (request, callOptions) => {
          const createOrUpdateScenarioRequest = prepareScenario(requestObject(request));
          // A repeated POST creates a second scenario (with a new key): like a paid send, it is
          // never repeated once it may have reached Infobip. Not after a 429 either: S1 publishes a
          // limit for this endpoint (x-throttling-info: 20 requests per 10 minutes), but no source
          // says a 429 is answered before the scenario is created, and one that came after it
          // (from a gateway, or a limit counted after the work) would create it twice.
          return this.#run({ idempotent: false, attempt: (init) => api.createScenarioRaw({ createOrUpdateScenarioRequest }, init) }, callOptions);
        },
        get: async (scenarioKey, callOptions) => {
          const key = prepareScenarioKey(scenarioPathKey(scenarioKey));
          return this.#run({ idempotent: true, attempt: (init) => api.getScenarioRaw({ scenarioKey: key }, init) }, callOptions);
        },
        update: async (scenarioKey, request, callOptions) => {
          const params = prepareUpdate(scenarioPathKey(scenarioKey), requestObject(request));
          // PUT replaces the whole scenario: sending it twice leaves the same state.
          return this.#run({ idempotent: true, attempt: (init) => api.updateScenarioRaw(params, init) }, callOptions);
        },
      },
      reports: async (query, callOptions) => {
        const params = prepareReports(requestObject(query, { optional: true }));
        // Reports are handed out once. A retry cannot lose more than the lost answer already did,
        // and a 5xx or 429 has handed out nothing, so the read is retried like any other.
        return this.#run({ idempotent: true, attempt: (init) => api.getOmniReportsRaw(params, init) }, callOptions);
      },
      logs: async (query, callOptions) => {
        const params = prepareLogs(requestObject(query, { optional: true }), phoneContext(connection));
        return this.#run({ idempotent: true, attempt: (init) => api.getOmniLogsRaw(params, init) }, callOptions);
      },
    };
    this.account = { balance: (callOptions) => this.#run({ idempotent: true, attempt: (init) => accountApi.getAccountBalanceRaw(init) }, callOptions) };
  }

  #run<T>(op: Operation<T>, options: RequestOptions | undefined): Promise<WithRequestId<T>> {
    return execute(op, infobipVendor, this.#policy, options);
  }

  /** What `JSON.stringify(client)` shows: where it sends, never the key. */
  toJSON(): Record<string, unknown> {
    return { name: 'InfobipClient', baseUrl: this.baseUrl };
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `InfobipClient { baseUrl: '${this.baseUrl}' }`;
  }
}
