import addFormatsModule from 'ajv-formats';
import { OpenAPIBackend, type Context, type Document } from 'openapi-backend';
import type { Reply } from './types';
import { issuesOf, type ErrorObject, type OpContext, type VendorModule } from './vendor';

/** What the server hands to the shared backend with each request. */
export interface RequestEnv {
  module: VendorModule;
  run(operationId: string, context: Omit<OpContext, 'state' | 'now' | 'record' | 'vendor' | 'operationId' | 'method' | 'path' | 'headers'>): Reply;
}

// ajv-formats is CommonJS; depending on the loader its function is the default or `.default`.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (ajv: unknown) => unknown;

// One validating router per vendor and process: building one costs ~50-300 ms, so every sandbox
// started in the same process shares it, and sandbox-specific state travels with each request.
const backends = new Map<string, Promise<OpenAPIBackend>>();

export function backendFor(module: VendorModule): Promise<OpenAPIBackend> {
  let backend = backends.get(module.vendor);
  if (!backend) {
    backend = build(module);
    backends.set(module.vendor, backend);
    backend.catch(() => backends.delete(module.vendor));
  }
  return backend;
}

async function build(module: VendorModule): Promise<OpenAPIBackend> {
  const api = new OpenAPIBackend({
    definition: module.spec() as unknown as Document,
    strict: false,
    // quick: no meta-validation of the spec (the repo lints it) and validators compiled on first use.
    quick: true,
    validate: true,
    ajvOpts: { allErrors: true, strict: false },
    customizeAjv: (ajv) => {
      addFormats(ajv);
      return ajv;
    },
    handlers: {
      notFound: (c: Context, env: RequestEnv) => env.module.notFound(c.request.method, c.request.path),
      methodNotAllowed: (c: Context, env: RequestEnv) => env.module.notFound(c.request.method, c.request.path),
      unauthorizedHandler: (c: Context, env: RequestEnv) => env.module.unauthorized(c.operation?.operationId),
      validationFail: (c: Context, env: RequestEnv) =>
        env.module.invalid(c.operation.operationId!, (c.validation.errors ?? []) as ErrorObject[]),
      notImplemented: (c: Context, env: RequestEnv) =>
        env.run(c.operation.operationId!, {
          body: c.request.requestBody,
          params: (c.request.params ?? {}) as Record<string, string>,
          query: (c.request.query ?? {}) as Record<string, unknown>,
        }),
    },
    securityHandlers: Object.fromEntries(
      Object.keys(module.security).map((name) => [name, (c: Context, env: RequestEnv) => env.module.security[name]!(c.request.headers as Record<string, string>)]),
    ),
  });
  await api.init();
  return api;
}

export { issuesOf };
