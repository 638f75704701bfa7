// A small reimplementation of Haskell's Parsec 3 (Text.Parsec), enough to port PostgREST's
// query-string grammar (src/PostgREST/ApiRequest/QueryParams.hs) combinator for combinator.
//
// Why not a hand-written parser: PostgREST answers a bad query parameter with Parsec's own
// error text, e.g. for GET /items?id=5
//   {"code":"PGRST100","details":"unexpected \"5\" expecting \"not\" or operator (eq, gt, ...)",
//    "hint":null,"message":"\"failed to parse filter (5)\" (line 1, column 1)"}
// (test/spec/Feature/Query/QuerySpec.hs, "fails if an operator is not given"). That text
// comes from how Parsec merges the errors of the alternatives it tried, so the engine below
// keeps Parsec's rules: the four replies (consumed/empty × ok/error), `try`, `<|>` only
// trying the right side after an *empty* failure, `<?>` relabelling empty replies,
// mergeError keeping the error that got further, and showErrorMessages.
// Sources: parsec-3.1 Text/Parsec/Prim.hs, Error.hs, Char.hs, Combinator.hs, Pos.hs.

const SYS = 0; // SysUnExpect: "unexpected X" from a primitive
const UNEXP = 1; // UnExpect: from `unexpected` (e.g. eof / notFollowedBy)
const EXPECT = 2; // Expect: from `<?>` and primitives' labels
const MSG = 3; // Message: from `fail`

/** A position as Parsec keeps it: line and column, both from 1. */
const posOf = (st) => ({ line: st.line, col: st.col });
const unknownError = (st) => ({ ...posOf(st), msgs: [] });
const isUnknown = (err) => err.msgs.length === 0;
const comparePos = (a, b) => a.line - b.line || a.col - b.col;

/** Text.Parsec.Error.mergeError: prefer meaningful errors, then the longest match. */
function mergeError(e1, e2) {
	if (!e2.msgs.length && e1.msgs.length) return e1;
	if (!e1.msgs.length && e2.msgs.length) return e2;
	const c = comparePos(e1, e2);
	if (c === 0) return { line: e1.line, col: e1.col, msgs: [...e1.msgs, ...e2.msgs] };
	return c > 0 ? e1 : e2;
}

/** setErrorMessage (Expect label): drops every Expect, puts the label first. */
const setExpect = (err, label) => ({ ...err, msgs: [[EXPECT, label], ...err.msgs.filter((m) => m[0] !== EXPECT)] });

// Replies. `consumed` and `ok` select Parsec's four continuations.
const cok = (value, st, err) => ({ consumed: true, ok: true, value, st, err });
const eok = (value, st, err) => ({ consumed: false, ok: true, value, st, err });
const cerr = (err) => ({ consumed: true, ok: false, err });
const eerr = (err) => ({ consumed: false, ok: false, err });

/** Text.Parsec.Pos.updatePosChar: tabs advance to the next multiple of 8 (+1). */
function advance(st, ch) {
	if (ch === '\n') return { input: st.input, i: st.i + 1, line: st.line + 1, col: 1 };
	if (ch === '\t') return { input: st.input, i: st.i + 1, line: st.line, col: st.col + 8 - ((st.col - 1) % 8) };
	return { input: st.input, i: st.i + 1, line: st.line, col: st.col + 1 };
}

// --- Haskell's `show` for Char and String (GHC.Show.showLitChar) --------------------------

const ASCII_NAMES = ['NUL', 'SOH', 'STX', 'ETX', 'EOT', 'ENQ', 'ACK', 'a', 'b', 't', 'n', 'v', 'f', 'r', 'SO', 'SI',
	'DLE', 'DC1', 'DC2', 'DC3', 'DC4', 'NAK', 'SYN', 'ETB', 'CAN', 'EM', 'SUB', 'ESC', 'FS', 'GS', 'RS', 'US'];

function litChar(ch, next, quote) {
	const n = ch.codePointAt(0);
	if (n > 127) return `\\${n}${next !== undefined && /[0-9]/.test(next) ? '\\&' : ''}`;
	if (n === 127) return '\\DEL';
	if (ch === '\\') return '\\\\';
	if (ch === quote) return `\\${quote}`;
	if (n >= 32) return ch;
	if (n === 14) return `\\SO${next === 'H' ? '\\&' : ''}`;
	return `\\${ASCII_NAMES[n]}`;
}

/** show :: String -> String */
export function showString(s) {
	const cs = Array.from(s);
	return `"${cs.map((c, k) => litChar(c, cs[k + 1], '"')).join('')}"`;
}

/** show :: Char -> String */
export const showChar = (c) => `'${litChar(c, undefined, "'")}'`;

// --- primitives ------------------------------------------------------------------------------

/** satisfy: one character (no label; `char` adds one). */
export const satisfy = (pred) => (st) => {
	if (st.i >= st.input.length) return eerr({ ...posOf(st), msgs: [[SYS, '']] });
	const c = st.input[st.i];
	if (!pred(c)) return eerr({ ...posOf(st), msgs: [[SYS, showString(c)]] });
	const nst = advance(st, c);
	return cok(c, nst, unknownError(nst));
};

/** label (<?>) */
export const label = (p, msg) => (st) => {
	const r = p(st);
	if (r.consumed) return r;
	if (!r.ok) return eerr(setExpect(r.err, msg));
	return isUnknown(r.err) ? r : eok(r.value, r.st, setExpect(r.err, msg));
};

export const char = (c) => label(satisfy((x) => x === c), showString(c));
export const anyChar = satisfy(() => true);
export const oneOf = (cs) => satisfy((x) => cs.includes(x));
export const noneOf = (cs) => satisfy((x) => !cs.includes(x));
export const letter = label(satisfy((x) => /^\p{L}$/u.test(x)), 'letter'); // isAlpha
export const digit = label(satisfy((x) => x >= '0' && x <= '9'), 'digit'); // isDigit (ASCII)

/** string (Parsec's `tokens`): errors are reported at the start, naming the first mismatch. */
export const string = (s) => {
	const ts = Array.from(s);
	const expect = [EXPECT, showString(s)];
	return (st) => {
		let cur = st;
		for (let k = 0; k < ts.length; k++) {
			const at = st.i + k;
			if (at >= st.input.length || st.input[at] !== ts[k]) {
				const un = at >= st.input.length ? '' : showString(st.input[at]);
				const err = { ...posOf(st), msgs: [expect, [SYS, un]] };
				return k === 0 ? eerr(err) : cerr(err);
			}
			cur = advance(cur, ts[k]);
		}
		return cok(s, cur, unknownError(cur));
	};
};

/** return / pure */
export const pure = (v) => (st) => eok(v, st, unknownError(st));

/** mzero / parserZero (also `guard False`) */
export const zero = (st) => eerr(unknownError(st));

/** unexpected */
export const unexpected = (msg) => (st) => eerr({ ...posOf(st), msgs: [[UNEXP, msg]] });

/** fail */
export const fail = (msg) => (st) => eerr({ ...posOf(st), msgs: [[MSG, msg]] });

/** >>= */
export const bind = (p, f) => (st) => {
	const r = p(st);
	if (!r.ok) return r;
	const r2 = f(r.value)(r.st);
	if (r2.consumed) return r2;
	const err = isUnknown(r.err) ? r2.err : mergeError(r.err, r2.err);
	if (r.consumed) return r2.ok ? cok(r2.value, r2.st, err) : cerr(err);
	return r2.ok ? eok(r2.value, r2.st, err) : eerr(err);
};

/** fmap */
export const map = (p, f) => bind(p, (x) => pure(f(x)));

/** Sequence: runs the parsers in order and gives the array of their results. */
export const seq = (...ps) => ps.reduceRight((rest, p) => (acc) => bind(p, (x) => rest([...acc, x])), (acc) => pure(acc))([]);

/** p *> q */
export const right = (p, q) => bind(p, () => q);
/** p <* q */
export const left = (p, q) => bind(p, (x) => map(q, () => x));

/** <|> : the right side runs only when the left failed without consuming input. */
export const alt = (...ps) => ps.reduce((p, q) => (st) => {
	const r = p(st);
	if (r.ok || r.consumed) return r;
	const r2 = q(st);
	if (r2.consumed) return r2;
	const err = mergeError(r.err, r2.err);
	return r2.ok ? eok(r2.value, r2.st, err) : eerr(err);
});

/** try: a consumed failure becomes an empty one (same error). */
export const attempt = (p) => (st) => {
	const r = p(st);
	return !r.ok && r.consumed ? eerr(r.err) : r;
};

/** lookAhead: success consumes nothing; a consumed failure stays consumed. */
export const lookAhead = (p) => (st) => {
	const r = p(st);
	return r.ok ? eok(r.value, st, unknownError(st)) : r;
};

/** many */
export const many = (p) => (st) => {
	const xs = [];
	let cur = st;
	let consumed = false;
	for (;;) {
		const r = p(cur);
		if (r.ok) {
			if (!r.consumed) throw new Error('many: combinator applied to a parser that accepts an empty string');
			xs.push(r.value);
			cur = r.st;
			consumed = true;
			continue;
		}
		if (r.consumed) return r;
		return consumed ? cok(xs, cur, r.err) : eok(xs, cur, r.err);
	}
};

export const many1 = (p) => bind(p, (x) => map(many(p), (xs) => [x, ...xs]));
export const sepBy1 = (p, sep) => bind(p, (x) => map(many(right(sep, p)), (xs) => [x, ...xs]));
export const sepBy = (p, sep) => alt(sepBy1(p, sep), pure([]));
export const option = (x, p) => alt(p, pure(x));
export const optionMaybe = (p) => option(null, p);
export const between = (open, close, p) => right(open, left(p, close));
export const choice = (ps) => alt(...ps, zero);

/** anyToken: consumes a character without moving the position (tokenPrim with a constant nextpos). */
const anyToken = (st) => {
	if (st.i >= st.input.length) return eerr({ ...posOf(st), msgs: [[SYS, '']] });
	const c = st.input[st.i];
	return cok(c, { ...st, i: st.i + 1 }, unknownError(st));
};

/** notFollowedBy p = try (do { c <- try p; unexpected (show c) } <|> return ()) */
export const notFollowedBy = (p) => attempt(alt(bind(attempt(p), (c) => unexpected(showChar(c))), pure(undefined)));

/** eof = notFollowedBy anyToken <?> "end of input" */
export const eof = label(notFollowedBy(anyToken), 'end of input');

// --- running ------------------------------------------------------------------------------

/** Text.Parsec.Error.showErrorMessages "or" "unknown parse error" "expecting" "unexpected" "end of input" */
export function showErrorMessages(msgs) {
	if (!msgs.length) return 'unknown parse error';
	const sorted = [...msgs].sort((a, b) => a[0] - b[0]); // stable: only the kind is compared
	const of = (kind) => sorted.filter((m) => m[0] === kind).map((m) => m[1]);
	const sys = of(SYS);
	const unexp = of(UNEXP);
	const expect = of(EXPECT);
	const messages = of(MSG);
	const clean = (xs) => [...new Set(xs.filter((x) => x !== ''))];
	const commasOr = (ms) => {
		if (!ms.length) return '';
		if (ms.length === 1) return ms[0];
		return `${clean(ms.slice(0, -1)).join(', ')} or ${ms[ms.length - 1]}`;
	};
	const showMany = (pre, xs) => {
		const ms = clean(xs);
		if (!ms.length) return '';
		return pre ? `${pre} ${commasOr(ms)}` : commasOr(ms);
	};
	let showSys = '';
	if (!unexp.length && sys.length) showSys = sys[0] === '' ? 'unexpected end of input' : `unexpected ${sys[0]}`;
	return clean([showSys, showMany('unexpected', unexp), showMany('expecting', expect), showMany('', messages)])
		.map((s) => `\n${s}`).join('');
}

/**
 * P.parse p input: Right value, or Left { line, col, details } where details is PostgREST's
 * rendering (mapError in QueryParams.hs: newlines become spaces, then T.strip).
 * Like Parsec, the input need not be consumed to the end.
 */
export function runParser(p, input) {
	const st = { input: Array.from(input), i: 0, line: 1, col: 1 };
	const r = p(st);
	if (r.ok) return { ok: true, value: r.value };
	return { ok: false, line: r.err.line, col: r.err.col, details: showErrorMessages(r.err.msgs).replace(/\n/g, ' ').trim() };
}
