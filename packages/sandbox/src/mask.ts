type Headers = Record<string, string | string[] | undefined>;

/** Headers that carry the vendors' credentials (SMS.CX X-API-KEY, Octopush api-login/api-key, Authorization elsewhere). */
const CREDENTIAL_HEADERS = new Set(['authorization', 'proxy-authorization', 'x-api-key', 'api-key', 'api-login']);

/** Body fields that carry credentials, compared lower-case without `-` and `_`. */
const CREDENTIAL_FIELDS = new Set(['apikey', 'apilogin', 'password', 'passwd', 'secret', 'clientsecret', 'token', 'accesstoken', 'refreshtoken', 'authorization']);

/** Keeps the first two characters of a secret long enough to spare them, so a test can still tell keys apart. */
export function maskSecret(value: string): string {
  return value.length >= 6 ? `${value.slice(0, 2)}…` : '…';
}

/** `Scheme credential` keeps its scheme word; a bare value is masked whole. */
function maskCredentialHeader(value: string): string {
  const match = /^(\S+)\s+(\S.*)$/.exec(value.trim());
  return match ? `${match[1]} ${maskSecret(match[2]!)}` : maskSecret(value.trim());
}

export function maskHeaders(headers: Headers): Headers {
  const out: Headers = {};
  for (const [name, value] of Object.entries(headers)) {
    if (!CREDENTIAL_HEADERS.has(name.toLowerCase()) || value === undefined) out[name] = value;
    else out[name] = Array.isArray(value) ? value.map(maskCredentialHeader) : maskCredentialHeader(value);
  }
  return out;
}

/** `https://user:pass@host/` → `https://user:***@host/`; anything else unchanged. */
export function maskUrlPassword(value: string): string {
  if (!value.includes('@') || !/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) return value;
  try {
    const url = new URL(value);
    if (!url.password) return value;
    url.password = '***';
    return url.toString();
  } catch {
    return value;
  }
}

/** A copy of a JSON body with credential fields and URL passwords masked; other values are shared, not copied. */
export function maskBody(value: unknown): unknown {
  if (typeof value === 'string') return maskUrlPassword(value);
  if (Array.isArray(value)) {
    let changed = false;
    const out = value.map((item) => {
      const masked = maskBody(item);
      if (masked !== item) changed = true;
      return masked;
    });
    return changed ? out : value;
  }
  if (value !== null && typeof value === 'object') {
    let changed = false;
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      const masked = CREDENTIAL_FIELDS.has(key.toLowerCase().replace(/[-_]/g, '')) && typeof item === 'string' ? maskSecret(item) : maskBody(item);
      if (masked !== item) changed = true;
      out[key] = masked;
    }
    return changed ? out : value;
  }
  return value;
}
