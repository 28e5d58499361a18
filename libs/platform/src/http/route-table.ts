/** Routes known to the server, by method and pattern, to answer 405 with an Allow header. */
export class RouteTable {
  private readonly routes: { method: string; re: RegExp }[] = [];

  add(method: string | string[], url: string): void {
    const pattern = url
      .split('/')
      .map((seg) => (seg.startsWith(':') ? '[^/]+' : seg === '*' ? '.*' : seg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
      .join('/');
    const re = new RegExp(`^${pattern}/?$`);
    for (const m of Array.isArray(method) ? method : [method]) {
      if (m !== 'HEAD' && m !== 'OPTIONS') this.routes.push({ method: m, re });
    }
  }

  methodsFor(path: string): string[] {
    const out = new Set<string>();
    for (const r of this.routes) if (r.re.test(path)) out.add(r.method);
    return [...out];
  }
}
