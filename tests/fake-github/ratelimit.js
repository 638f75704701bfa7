// Primary rate-limit budgets, per token and per resource ("core", "graphql", ...).
//
// A budget is { limit, used, reset } where reset is in epoch seconds. A window
// opens on first use and lasts one hour; once the clock passes `reset` the budget
// is full again (real time: tests that want an exhausted or nearly reset budget
// force it with set()). The unauthenticated client is the token '' and gets the
// unauthenticated limit. No HTTP here.

const WINDOW_S = 3600;

export class RateLimiter {
  /**
   * limits: { core, graphql, search, ... } per authenticated token;
   * unauthenticated: the core limit of the token '' (GitHub: 60 per hour).
   */
  constructor({ limits = { core: 5000, graphql: 5000 }, unauthenticated = 60, clock = () => Date.now(), limitOf = null } = {}) {
    this.limits = { core: 5000, graphql: 5000, search: 30, ...limits };
    this.limitOf = limitOf; // (token, resource) → a limit for that budget, or undefined for the default
    this.unauthenticated = unauthenticated;
    this.clock = clock;
    this.budgets = new Map(); // `${token}\u0000${resource}` → { limit, used, reset }
  }

  defaultLimit(token, resource) {
    const own = this.limitOf?.(token, resource);
    if (own !== undefined) return own;
    if (token === '') return resource === 'core' ? this.unauthenticated : resource === 'search' ? 10 : 0;
    return this.limits[resource] ?? 5000;
  }

  /** The live budget object (window renewed if it expired). */
  budget(token, resource) {
    const key = `${token}\u0000${resource}`;
    const nowS = Math.floor(this.clock() / 1000);
    let b = this.budgets.get(key);
    if (!b) {
      b = { limit: this.defaultLimit(token, resource), used: 0, reset: nowS + WINDOW_S };
      this.budgets.set(key, b);
    } else if (nowS >= b.reset) {
      b.used = 0;
      b.reset = nowS + WINDOW_S;
    }
    return b;
  }

  /** { limit, used, remaining, reset, resource } — a snapshot. */
  peek(token, resource) {
    const b = this.budget(token, resource);
    return { limit: b.limit, used: b.used, remaining: Math.max(0, b.limit - b.used), reset: b.reset, resource };
  }

  /**
   * Spend `points` if the budget holds them. Returns { ok, state } where state is
   * the snapshot after the attempt (unchanged when refused).
   */
  charge(token, resource, points) {
    const b = this.budget(token, resource);
    if (b.limit - b.used < points || b.limit - b.used <= 0) return { ok: false, state: this.peek(token, resource) };
    b.used += points;
    return { ok: true, state: this.peek(token, resource) };
  }

  /**
   * Force a state. Any of limit, remaining, used, reset (epoch seconds) may be
   * given; remaining wins over used. A reset in the past renews the window on the
   * next request.
   */
  set(token, resource, { limit, remaining, used, reset } = {}) {
    const b = this.budget(token, resource);
    if (limit !== undefined) b.limit = limit;
    if (used !== undefined) b.used = used;
    if (remaining !== undefined) b.used = Math.max(0, b.limit - remaining);
    if (reset !== undefined) b.reset = reset;
    return this.peek(token, resource);
  }
}
