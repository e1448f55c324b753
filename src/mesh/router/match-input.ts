/**
 * A request as route matching reads it: the `:path` with and without its query, pseudo-headers,
 * headers by lower-case name (repeated headers joined with ","), query parameters parsed on first
 * use. Built once per request and per proxy hop.
 */

export interface RequestHead {
  method: string;
  /** `:path`, query included. */
  path: string;
  /** `:authority` / Host, possibly with a port. */
  authority: string;
  /** Lower-case names; repeated headers already joined with ",". */
  headers: Record<string, string>;
}

export class MatchInput {
  readonly pathOnly: string;
  readonly query: string;
  private lowerPath?: string;
  private lowerPathOnly?: string;
  private params?: Map<string, string>;

  constructor(readonly head: RequestHead) {
    const q = head.path.indexOf('?');
    this.pathOnly = q < 0 ? head.path : head.path.slice(0, q);
    this.query = q < 0 ? '' : head.path.slice(q + 1);
  }

  get path(): string {
    return this.head.path;
  }

  get pathLower(): string {
    return (this.lowerPath ??= this.head.path.toLowerCase());
  }

  get pathOnlyLower(): string {
    return (this.lowerPathOnly ??= this.pathOnly.toLowerCase());
  }

  header(name: string): string | undefined {
    switch (name) {
      case ':method':
        return this.head.method;
      case ':authority':
      case 'host':
        return this.head.authority;
      case ':path':
        return this.head.path;
      case ':scheme':
        return 'http';
      default:
        return this.head.headers[name];
    }
  }

  /** The first value of a query parameter, raw (not URL-decoded), "" when it has no `=`. */
  queryParam(name: string): string | undefined {
    if (!this.params) {
      this.params = new Map();
      if (this.query) {
        for (const part of this.query.split('&')) {
          const eq = part.indexOf('=');
          const k = eq < 0 ? part : part.slice(0, eq);
          if (!this.params.has(k)) this.params.set(k, eq < 0 ? '' : part.slice(eq + 1));
        }
      }
    }
    return this.params.get(name);
  }
}
