// Errors of the PostgREST-compatible gateway: PostgREST's own PGRSTxxx errors, the
// Supabase API gateway's 401 answers, and PostgreSQL errors mapped to HTTP the way
// PostgREST's Error.hs (mapSQLtoHTTP) does.

/** An error answered to the client as JSON. */
export class ApiError extends Error {
	/**
	 * @param {number} status HTTP status
	 * @param {object} body JSON body (key order as sent)
	 * @param {Record<string,string>} [headers] extra response headers
	 */
	constructor(status, body, headers = {}) {
		super(body.message);
		this.status = status;
		this.body = body;
		this.headers = headers;
	}
}

/** PostgREST error body: aeson encodes the object with sorted keys. */
export function pgrstError(status, code, message, details = null, hint = null, headers = {}) {
	return new ApiError(status, { code, details, hint, message }, headers);
}

// --- PGRST1xx: request errors ---------------------------------------------------------

/** PGRST100: a query parameter that does not parse. */
// QueryParams.hs mapError: message = show (errorPos e) with the parser's name, e.g.
// "\"failed to parse filter (5)\" (line 1, column 1)"; details = Parsec's message text.
export const parseError = (what, input, column, details, line = 1) =>
	pgrstError(400, 'PGRST100', `"failed to parse ${what} (${input})" (line ${line}, column ${column})`, details);

export const invalidRpcMethod = (method) =>
	pgrstError(405, 'PGRST101', `Cannot use the ${method} method on RPC`);

export const invalidBody = (message) => pgrstError(400, 'PGRST102', message);

export const invalidRange = (details) =>
	pgrstError(416, 'PGRST103', 'Requested range not satisfiable', details);

export const invalidPutFilters = () =>
	pgrstError(405, 'PGRST105', "Filters must include all and only primary key columns with 'eq' operators");

export const unacceptableSchema = (schema, exposed) =>
	pgrstError(406, 'PGRST106', `Invalid schema: ${schema}`, null,
		`Only the following schemas are exposed: ${exposed.join(', ')}`);

export const mediaTypeError = (types) =>
	pgrstError(406, 'PGRST107', `None of these media types are available: ${types.join(', ')}`);

export const notEmbedded = (name) =>
	pgrstError(400, 'PGRST108', `'${name}' is not an embedded resource in this request`, null,
		`Verify that '${name}' is included in the 'select' query parameter.`);

export const putLimitNotAllowed = () =>
	pgrstError(400, 'PGRST114', 'limit/offset querystring parameters are not allowed for PUT');

export const putMatchingPk = () =>
	pgrstError(400, 'PGRST115', 'Payload values do not match URL in primary key column(s)');

export const singularityError = (n) =>
	pgrstError(406, 'PGRST116', 'Cannot coerce the result to a single JSON object', `The result contains ${n} rows`);

export const unsupportedMethod = (method) =>
	pgrstError(405, 'PGRST117', `Unsupported HTTP method: ${method}`);

export const relatedOrderNotToOne = (origin, target) =>
	pgrstError(400, 'PGRST118', `A related order on '${target}' is not possible`,
		`'${origin}' and '${target}' do not form a many-to-one or one-to-one relationship`);

export const spreadNotToOne = (origin, target) =>
	pgrstError(400, 'PGRST119', `A spread operation on '${target}' is not possible`,
		`'${origin}' and '${target}' do not form a many-to-one or one-to-one relationship`);

export const unacceptableFilter = (target) =>
	pgrstError(400, 'PGRST120', `Bad operator on the '${target}' embedded resource`,
		'Only is null or not is null filters are allowed on embedded resources');

export const invalidPreferences = (prefs) =>
	pgrstError(400, 'PGRST122', 'Invalid preferences given with handling=strict',
		`Invalid preferences: ${prefs.join(', ')}`);

export const aggregatesNotAllowed = () =>
	pgrstError(400, 'PGRST123', 'Use of aggregate functions is not allowed');

export const maxAffectedViolation = (n) =>
	pgrstError(400, 'PGRST124', 'Query result exceeds max-affected preference constraint', `The query affects ${n} rows`);

export const invalidResourcePath = () =>
	pgrstError(404, 'PGRST125', 'Invalid path specified in request URL');

// --- PGRST2xx: schema cache errors ----------------------------------------------------

export const noRelBetween = (parent, child, hint, schema) =>
	pgrstError(400, 'PGRST200', `Could not find a relationship between '${parent}' and '${child}' in the schema cache`,
		`Searched for a foreign key relationship between '${parent}' and '${child}` +
		(hint ? `' using the hint '${hint}` : '') + `' in the schema '${schema}', but no matches were found.`);

export const ambiguousRelBetween = (parent, child, details, hint) =>
	pgrstError(300, 'PGRST201', `Could not embed because more than one relationship was found for '${parent}' and '${child}'`,
		details, hint);

export const noRpc = (schema, name, keys, isPostJson, hint = null) => {
	const func = `${schema}.${name}`;
	const sorted = [...keys].sort();
	const prms = sorted.length ? `(${sorted.join(', ')})` : ' without parameters';
	const det = sorted.length
		? ` with parameter${sorted.length > 1 ? 's' : ''} ${sorted.join(', ')}`
		: ' without parameters';
	return pgrstError(404, 'PGRST202', `Could not find the function ${func}${prms} in the schema cache`,
		`Searched for the function ${func}${det}${isPostJson ? ' or with a single unnamed json/jsonb parameter' : ''}` +
		', but no matches were found in the schema cache.', hint);
};

export const ambiguousRpc = (descs) =>
	pgrstError(300, 'PGRST203', `Could not choose the best candidate function between: ${descs.join(', ')}`, null,
		'Try renaming the parameters or the function itself in the database so function overloading can be resolved');

export const columnNotFound = (table, column) =>
	pgrstError(400, 'PGRST204', `Could not find the '${column}' column of '${table}' in the schema cache`);

export const tableNotFound = (schema, name, suggestion) =>
	pgrstError(404, 'PGRST205', `Could not find the table '${schema}.${name}' in the schema cache`, null,
		suggestion ? `Perhaps you meant the table '${schema}.${suggestion}'` : null);

// --- PGRST3xx: JWT ----------------------------------------------------------------------

export const jwtDecodeError = (message) =>
	pgrstError(401, 'PGRST301', message, null, null,
		{ 'WWW-Authenticate': `Bearer error="invalid_token", error_description=${JSON.stringify(message)}` });

// --- Supabase API gateway (Kong key-auth) -------------------------------------------

export const missingApiKey = () => new ApiError(401, {
	message: 'No API key found in request',
	hint: 'No `apikey` request header or url param was found.',
});

export const invalidApiKey = () => new ApiError(401, {
	message: 'Invalid API key',
	hint: 'Double check your Supabase `anon` or `service_role` API key.',
});

// --- PostgreSQL errors -----------------------------------------------------------------

/** HTTP status for a SQLSTATE, as PostgREST's mapSQLtoHTTP (authenticated request). */
export function statusForSqlState(code, message = '', authed = true) {
	const c = String(code || '');
	const p2 = c.slice(0, 2);
	if (p2 === '08') return 503;
	if (p2 === '09') return 500;
	if (p2 === '0L' || p2 === '0P') return 403;
	if (c === '23503' || c === '23505') return 409;
	if (c === '25006') return 405;
	if (c === '21000') return message.endsWith('requires a WHERE clause') ? 400 : 500;
	if (c === '22023') return message.startsWith('role') && message.endsWith('does not exist') ? 401 : 400;
	if (p2 === '25') return 500;
	if (p2 === '28') return 403;
	if (p2 === '2D' || p2 === '38' || p2 === '39' || p2 === '3B' || p2 === '40') return 500;
	if (c === '53400') return 500;
	if (p2 === '53') return 503;
	if (p2 === '54' || p2 === '55') return 500;
	if (c === '57P01') return 503;
	if (p2 === '57' || p2 === '58' || p2 === 'F0' || p2 === 'HV') return 500;
	if (c === 'P0001') return 400;
	if (p2 === 'P0' || p2 === 'XX') return 500;
	if (c === '42883') return message.startsWith('function xmlagg(') ? 406 : 404;
	if (c === '42P01') return 404;
	if (c === '42P17') return 500;
	if (c === '42501') return authed ? 403 : 401;
	if (p2 === 'PT') {
		const n = Number(c.slice(2));
		return Number.isInteger(n) && n >= 100 && n <= 599 ? n : 500;
	}
	return 400;
}

/** Turns an error thrown by `pg` (or by the socket) into an ApiError. */
export function fromPgError(err) {
	if (err instanceof ApiError) return err;
	const code = err && typeof err.code === 'string' && /^[0-9A-Z]{5}$/.test(err.code) ? err.code : null;
	if (!code) {
		const text = `${(err && err.code) || ''} ${(err && err.message) || err}`;
		// No SQLSTATE: the connection could not be made, or broke during the request.
		if (/ECONNREFUSED|ENOTFOUND|EAI_AGAIN|timeout exceeded when trying to connect/i.test(text)) {
			return pgrstError(503, 'PGRST000', 'Database connection error. Retrying the connection.', String(err && err.message || err));
		}
		if (/ECONNRESET|EPIPE|ETIMEDOUT|Connection terminated|connection.*(closed|ended|lost)|Client has encountered a connection error/i.test(text)) {
			return pgrstError(503, 'PGRST001', 'Database client error. Retrying the connection.', String(err && err.message || err));
		}
		// Anything else is a bug in the gateway: say so rather than pretend to be PostgREST.
		return pgrstError(500, 'PGRSTX00', 'Internal error in the test gateway', String(err && err.stack || err));
	}
	const message = err.message || '';
	return new ApiError(statusForSqlState(code, message), {
		code,
		details: err.detail ?? null,
		hint: err.hint ?? null,
		message,
	}, statusForSqlState(code, message) === 401 ? { 'WWW-Authenticate': 'Bearer' } : {});
}
