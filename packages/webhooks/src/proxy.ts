/** Reads a request header (a Web `Headers`, or a view of Node's headers). */
export interface HeaderReader {
  /** The header's value, or null when absent (names are case-insensitive). */
  get(name: string): string | null;
}

/** What the receiver needs of a request to verify it: a Web `Request` is one. */
export interface RequestLike {
  url: string;
  headers: HeaderReader;
}

/** How a receiver learns the URL the vendor used. */
export interface PublicUrlOptions {
  /**
   * The receiver sits behind a proxy you run: read the scheme and host from `Forwarded`
   * (RFC 7239) or `X-Forwarded-Proto` / `X-Forwarded-Host`. Never set it on a server the internet
   * reaches directly: anyone could then claim any host.
   */
  trustProxy?: boolean;
  /** The public origin, e.g. `https://hooks.example.com`; wins over the request and any header. */
  publicOrigin?: string;
}

/** The URL as the vendor addressed it. */
export function publicUrl(request: RequestLike, options: PublicUrlOptions): URL {
  const url = new URL(request.url);
  if (options.publicOrigin !== undefined) {
    const origin = new URL(options.publicOrigin);
    url.protocol = origin.protocol;
    setHost(url, origin.host);
    return url;
  }
  if (!options.trustProxy) return url;
  const forwarded = parseForwarded(request.headers.get('forwarded'));
  const proto = forwarded.proto ?? first(request.headers.get('x-forwarded-proto'));
  const host = forwarded.host ?? first(request.headers.get('x-forwarded-host'));
  if (proto === 'http' || proto === 'https') url.protocol = `${proto}:`;
  if (host) setHost(url, host);
  return url;
}

/** `url.host = 'a.example'` keeps the old port; a forwarded host without a port means the default one. */
function setHost(url: URL, host: string): void {
  url.host = host;
  if (!/:\d+$/.test(host)) url.port = '';
}

/** The first (client-side) hop of a comma-separated header. */
function first(value: string | null): string | undefined {
  const hop = value?.split(',')[0]?.trim();
  return hop ? hop.toLowerCase() : undefined;
}

function parseForwarded(value: string | null): { proto?: string; host?: string } {
  const hop = value?.split(',')[0];
  if (!hop) return {};
  const out: { proto?: string; host?: string } = {};
  for (const pair of hop.split(';')) {
    const [k, v] = pair.split('=').map((s) => s.trim());
    const val = v?.replace(/^"|"$/g, '').toLowerCase();
    if (!val) continue;
    if (k?.toLowerCase() === 'proto') out.proto = val;
    if (k?.toLowerCase() === 'host') out.host = val;
  }
  return out;
}
