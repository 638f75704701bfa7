// GitHub App authentication for the fake: the app's JWT (RS256, checked as GitHub
// checks it), installations, and the installation access tokens the app mints, which
// then work as ordinary tokens until they expire.
//
// AppRegistry holds the apps and the tokens issued; it knows nothing of HTTP
// (server.js answers GET /app, GET /repos/{o}/{r}/installation, GET
// /app/installations/{id} and POST /app/installations/{id}/access_tokens with it).
// Tokens are never logged: the request log keeps fingerprints (server.js).

import { createPublicKey, createSign, randomBytes, verify } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { isoSeconds } from './scenario.js';

const KEYS = fileURLToPath(new URL('./keys/', import.meta.url));
const read = (f) => readFileSync(`${KEYS}${f}`, 'utf8');

/**
 * The test app: its ids and the committed key pair (keys/make-keys.js). A test key,
 * public on purpose. privateKeyPem is PKCS#1 (what GitHub's settings page downloads),
 * privateKeyPkcs8Pem PKCS#8 (what WebCrypto-based signers such as
 * universal-github-app-jwt take).
 */
export const TEST_APP = Object.freeze({
  appId: 424242,
  clientId: 'Iv23liFAKEtestApp001',
  slug: 'progressive-capture-test',
  get privateKeyPem() { return read('test-app.private-key.pem'); },
  get privateKeyPkcs8Pem() { return read('test-app.private-key.pkcs8.pem'); },
  get publicKeyPem() { return read('test-app.public-key.pem'); },
});

// GitHub's words for a refused JWT (all 401, documentation_url https://docs.github.com/rest):
export const JWT_ERRORS = Object.freeze({
  // A JWT GitHub cannot read, whose iss names no app, or whose signature is not that app's
  // key (actions/create-github-app-token#153: "a valid app ID and a private key that do not match").
  undecodable: 'A JSON web token could not be decoded',
  // exp more than 10 minutes after GitHub's clock (probot/probot#942, rocq-prover/bot#204).
  expTooFar: "'Expiration time' claim ('exp') is too far in the future",
  // exp missing, not a number, or past (sigmavirus24/github3.py#1050).
  expired: "'Expiration time' claim ('exp') must be a numeric value representing the future time at which the assertion expires",
  // iat missing, not an integer, or after GitHub's clock (probot/probot#967, #326).
  iat: "'Issued at' claim ('iat') must be an Integer representing the time that the assertion was issued",
});

const b64url = (buf) => Buffer.from(buf).toString('base64url');

/**
 * Sign a JWT the way an app does (RS256 unless `alg` says otherwise):
 * { privateKey (PEM), iss (app id or client id), iat, exp (epoch s; default now-60 and
 * now+540), alg, header, payload (extra claims) }. For tests.
 */
export function signAppJwt({ privateKey, iss, iat, exp, alg = 'RS256', header = {}, payload = {}, now = Date.now() }) {
  const t = Math.floor(now / 1000);
  const h = b64url(JSON.stringify({ alg, typ: 'JWT', ...header }));
  const p = b64url(JSON.stringify({ iat: iat ?? t - 60, exp: exp ?? t + 540, iss, ...payload }));
  const signer = createSign('RSA-SHA256');
  signer.update(`${h}.${p}`);
  return `${h}.${p}.${b64url(signer.sign(privateKey))}`;
}

/** Whether a bearer credential has the form of a JWT (three base64url parts, a JSON header). */
export function looksLikeJwt(s) {
  if (typeof s !== 'string' || s.startsWith('ghs_') || s.startsWith('ghp_')) return false;
  const parts = s.split('.');
  if (parts.length !== 3 || !parts.every((x) => /^[A-Za-z0-9_-]*$/.test(x))) return false;
  try {
    return typeof JSON.parse(Buffer.from(parts[0], 'base64url').toString('utf8')) === 'object';
  } catch {
    return false;
  }
}

/** The reason GitHub's scopes name a permission level: write covers read. */
const LEVEL = { read: 1, write: 2, admin: 3 };

/**
 * Apps, their installations and the tokens they minted.
 *
 * apps: [{ appId, clientId?, slug?, name?, publicKeyPem, owner? (login),
 *          installations: [{ id, account (login), repositories ('all' or ['owner/name' | id, …]),
 *                            permissions ({ contents: 'read', actions: 'write', … }) }] }]
 * options: tokenLifetimeMs (default 1 h), tokenFormat ('stateless' ~520 characters with
 * dots, the format GitHub rolls out from April 2026, or 'classic' 40 characters),
 * jwtLeewaySeconds (default 0: GitHub refuses an iat in its future and an exp more than
 * 600 s ahead of its clock, even by a second), clock (ms).
 */
export class AppRegistry {
  constructor(apps = [], { tokenLifetimeMs = 3_600_000, tokenFormat = 'stateless', jwtLeewaySeconds = 0, clock = () => Date.now() } = {}) {
    this.apps = apps.map((a) => this.normalize(a));
    this.tokenLifetimeMs = tokenLifetimeMs;
    this.tokenFormat = tokenFormat;
    this.jwtLeewaySeconds = jwtLeewaySeconds;
    this.clock = clock;
    this.tokens = new Map(); // token → { app, installation, expiresAt (ms), repoIds (Set|null), permissions, n }
    this.issued = 0;
  }

  normalize(a) {
    if (!a?.appId || !a.publicKeyPem) throw new TypeError('an app needs appId and publicKeyPem');
    return {
      appId: Number(a.appId),
      clientId: a.clientId ?? null,
      slug: a.slug ?? `app-${a.appId}`,
      name: a.name ?? a.slug ?? `App ${a.appId}`,
      owner: a.owner ?? null,
      publicKey: createPublicKey(a.publicKeyPem),
      installations: (a.installations ?? []).map((i) => ({
        id: Number(i.id), account: i.account, repositories: i.repositories ?? 'all',
        permissions: { metadata: 'read', ...(i.permissions ?? { contents: 'read', pull_requests: 'read', actions: 'write' }) },
      })),
    };
  }

  get enabled() {
    return this.apps.length > 0;
  }

  /**
   * Check a JWT as GitHub does: { app } or { error: message } (all 401). Order: the
   * header and claims must decode, iss must name an app (its id or client id) whose
   * public key verifies the RS256 signature; then exp (not more than 10 minutes ahead,
   * not past) and iat (an integer, not in the future). An exp more than 600 s after
   * iat is fine as long as exp is within 10 minutes of now (GitHub's docs set iat 60 s
   * back and exp 10 minutes ahead).
   */
  verifyJwt(jwt) {
    const parts = String(jwt).split('.');
    let header;
    let claims;
    try {
      header = JSON.parse(Buffer.from(parts[0], 'base64url').toString('utf8'));
      claims = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
    } catch {
      return { error: JWT_ERRORS.undecodable };
    }
    if (parts.length !== 3 || header?.alg !== 'RS256' || !claims || typeof claims !== 'object') return { error: JWT_ERRORS.undecodable };
    const iss = claims.iss;
    const app = this.apps.find((a) => (typeof iss === 'number' || /^\d+$/.test(String(iss)) ? a.appId === Number(iss) : a.clientId === iss));
    if (!app) return { error: JWT_ERRORS.undecodable };
    const ok = verify('RSA-SHA256', Buffer.from(`${parts[0]}.${parts[1]}`), app.publicKey, Buffer.from(parts[2], 'base64url'));
    if (!ok) return { error: JWT_ERRORS.undecodable };
    const now = Math.floor(this.clock() / 1000);
    const leeway = this.jwtLeewaySeconds;
    if (typeof claims.exp !== 'number' || !Number.isFinite(claims.exp)) return { error: JWT_ERRORS.expired };
    if (claims.exp > now + 600 + leeway) return { error: JWT_ERRORS.expTooFar };
    if (claims.exp <= now - leeway) return { error: JWT_ERRORS.expired };
    if (!Number.isInteger(claims.iat) || claims.iat > now + leeway) return { error: JWT_ERRORS.iat };
    return { app, claims };
  }

  installation(app, id) {
    return app.installations.find((i) => i.id === Number(id)) ?? null;
  }

  /** The installation of `app` that reaches a repository ({ id, full_name, owner login }), or null. */
  installationFor(app, repo) {
    return app.installations.find((i) => reaches(i, repo)) ?? null;
  }

  /**
   * Mint a token (POST …/access_tokens). body: { repositories: [names], repository_ids:
   * [ids], permissions }; `repos` lists the repositories the installation reaches
   * ([{ id, name, full_name, owner }]). Returns { token, entry } or { status, message }.
   */
  mint(app, inst, body, repos, { format } = {}) {
    let selected = null;
    const names = body?.repositories;
    const ids = body?.repository_ids;
    if (names !== undefined || ids !== undefined) {
      if ((names !== undefined && !Array.isArray(names)) || (ids !== undefined && !Array.isArray(ids))) {
        return { status: 422, message: 'Invalid request.\n\nFor \'properties/repositories\', it is not an array.' };
      }
      selected = [];
      for (const n of names ?? []) {
        const r = repos.find((x) => x.name.toLowerCase() === String(n).toLowerCase());
        if (!r) return { status: 422, message: 'There is at least one repository that does not exist or is not accessible to the parent installation.' };
        selected.push(r);
      }
      for (const id of ids ?? []) {
        const r = repos.find((x) => x.id === Number(id));
        if (!r) return { status: 422, message: 'There is at least one repository that does not exist or is not accessible to the parent installation.' };
        if (!selected.includes(r)) selected.push(r);
      }
    }
    let permissions = { ...inst.permissions };
    if (body?.permissions !== undefined) {
      permissions = {};
      for (const [k, v] of Object.entries(body.permissions ?? {})) {
        if (!LEVEL[v] || !LEVEL[inst.permissions[k]] || LEVEL[v] > LEVEL[inst.permissions[k]]) {
          return { status: 422, message: 'The permissions requested are not granted to this installation.' };
        }
        permissions[k] = v;
      }
    }
    const now = this.clock();
    // Whole seconds (expires_at has no fraction), never shorter than the lifetime asked for.
    const expiresAt = Math.ceil((now + this.tokenLifetimeMs) / 1000) * 1000;
    this.issued++;
    const token = this.newToken(app, format ?? this.tokenFormat, expiresAt);
    const entry = {
      app, installation: inst, expiresAt, n: this.issued, permissions,
      repoIds: selected ? new Set(selected.map((r) => r.id)) : inst.repositories === 'all' ? null : new Set(repos.map((r) => r.id)),
      selected,
      repositorySelection: selected || inst.repositories !== 'all' ? 'selected' : 'all',
    };
    this.tokens.set(token, entry);
    return { token, entry, expires_at: isoSeconds(expiresAt) };
  }

  /**
   * A new token: 'classic' is ghs_ and 36 letters and digits (40 characters);
   * 'stateless' is ghs_ then a JWT-like string of about 520 characters with two dots
   * (github.blog changelog 2026-05-15: "A stateless token is a ghs_-prefixed JWT. It is
   * longer (~520 characters) and contains two dots"); both match GitHub's recommended
   * pattern ghs_[A-Za-z0-9\._]{36,}. Opaque to clients either way.
   */
  newToken(app, format, expiresAt) {
    const alnum = (n) => {
      let s = '';
      while (s.length < n) s += randomBytes(n).toString('base64').replace(/[^A-Za-z0-9]/g, '');
      return s.slice(0, n);
    };
    if (format === 'classic') return `ghs_${alnum(36)}`;
    if (format !== 'stateless') throw new TypeError(`token format ${format}`);
    const seg = (o) => b64url(JSON.stringify(o)).replace(/[-=]/g, '_');
    const head = seg({ alg: 'RS256', typ: 'JWT', kid: `app-${app.appId}` });
    const body = seg({ iss: app.appId, exp: Math.floor(expiresAt / 1000), jti: alnum(24), v: 1 });
    const sig = alnum(520 - 4 - head.length - body.length - 2);
    return `ghs_${head}.${body}.${sig}`;
  }

  /** The live entry of an installation token, { expired: true } past its expiry, or null. */
  lookup(token) {
    const e = this.tokens.get(token);
    if (!e) return null;
    return this.clock() >= e.expiresAt ? { expired: true, entry: e } : e;
  }

  /** Revoke (DELETE /installation/token would); returns whether it existed. */
  revoke(token) {
    return this.tokens.delete(token);
  }
}

/** Whether an installation reaches a repository ({ id, full_name, owner }). */
export function reaches(inst, repo) {
  if (inst.repositories === 'all') return String(inst.account).toLowerCase() === repo.owner.toLowerCase();
  return inst.repositories.some((r) => (typeof r === 'number' ? r === repo.id : String(r).toLowerCase() === repo.full_name.toLowerCase()));
}

/** Whether a permission level `have` covers `need` ('read' < 'write' < 'admin'). */
export function covers(have, need) {
  return Boolean(LEVEL[have]) && LEVEL[have] >= LEVEL[need];
}
