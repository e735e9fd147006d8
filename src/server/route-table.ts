/** Route patterns by path, so an unmatched request can be told 405 (with Allow) instead of 404. */
export class RouteTable {
  readonly #static = new Map<string, Set<string>>();
  readonly #dynamic: Array<{ pattern: RegExp; methods: Set<string> }> = [];
  readonly #dynamicByUrl = new Map<string, Set<string>>();

  /** Records a registered route (`url` is Fastify's pattern: `/a/:id`, `/files/*`). */
  add(methods: string | readonly string[], url: string): void {
    const list = typeof methods === 'string' ? [methods] : methods;
    let set: Set<string> | undefined;
    if (url.includes(':') || url.includes('*')) {
      set = this.#dynamicByUrl.get(url);
      if (set === undefined) {
        set = new Set();
        this.#dynamicByUrl.set(url, set);
        this.#dynamic.push({ pattern: compilePattern(url), methods: set });
      }
    } else {
      set = this.#static.get(url);
      if (set === undefined) {
        set = new Set();
        this.#static.set(url, set);
      }
    }
    for (const method of list) set.add(method.toUpperCase());
  }

  /** Methods registered for the path of `url` (query string ignored), sorted; empty if none. */
  allowedMethods(url: string): string[] {
    const queryAt = url.indexOf('?');
    const path = queryAt === -1 ? url : url.slice(0, queryAt);
    const methods = new Set(this.#static.get(path));
    for (const route of this.#dynamic) {
      if (route.pattern.test(path)) for (const method of route.methods) methods.add(method);
    }
    return [...methods].sort();
  }
}

/**
 * A close approximation of find-my-way matching, good enough to decide 404 versus 405: a segment
 * holding `:param` (with or without a regex constraint) matches one non-empty segment, `*` matches
 * the rest of the path.
 */
function compilePattern(url: string): RegExp {
  const source = url
    .split('/')
    .map((segment) => {
      if (segment === '*') return '.*';
      if (segment.includes(':')) return '[^/]+';
      return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    })
    .join('/');
  return new RegExp(`^${source}$`);
}
