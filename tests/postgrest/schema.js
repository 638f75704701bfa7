// Schema cache: tables/views, columns, keys, foreign keys and functions of one schema,
// read from the PostgreSQL catalogs like PostgREST's SchemaCache.

const TABLES_SQL = `
select c.oid::int8 as oid, c.relname as name, c.relkind as kind
from pg_class c join pg_namespace n on n.oid = c.relnamespace
where n.nspname = $1 and c.relkind in ('r', 'v', 'm', 'f', 'p')
order by c.relname`;

const COLUMNS_SQL = `
select a.attrelid::int8 as relid, a.attnum as num, a.attname as name,
	format_type(a.atttypid, a.atttypmod) as type, t.typcategory as category,
	not a.attnotnull as nullable,
	coalesce(pg_get_expr(d.adbin, d.adrelid),
		case when a.attidentity in ('a', 'd') then format('nextval(%L::regclass)',
			pg_get_serial_sequence(format('%I.%I', n.nspname, c.relname), a.attname)) end) as "default",
	a.attidentity as identity, a.attgenerated as generated
from pg_attribute a
join pg_class c on c.oid = a.attrelid
join pg_namespace n on n.oid = c.relnamespace
join pg_type t on t.oid = a.atttypid
left join pg_attrdef d on d.adrelid = a.attrelid and d.adnum = a.attnum
where n.nspname = $1 and c.relkind in ('r', 'v', 'm', 'f', 'p', 'c') and a.attnum > 0 and not a.attisdropped
order by a.attrelid, a.attnum`;

const CONSTRAINTS_SQL = `
select con.conname as name, con.contype as type, con.conrelid::int8 as relid, con.confrelid::int8 as frelid,
	con.conkey as cols, con.confkey as fcols
from pg_constraint con join pg_namespace n on n.oid = con.connamespace
where n.nspname = $1 and con.contype in ('p', 'u', 'f')
order by con.conname`;

const FUNCTIONS_SQL = `
select p.oid::int8 as oid, p.proname as name, p.provolatile as volatility, p.proretset as retset,
	t.typtype as rettyptype, t.typrelid::int8 as retrelid, format_type(p.prorettype, null) as rettype,
	p.pronargs as nargs, p.pronargdefaults as nargdefaults,
	coalesce(p.proargnames, '{}') as argnames, coalesce(p.proargmodes::text[], '{}') as argmodes,
	array(select format_type(x, null) from unnest(coalesce(p.proallargtypes, p.proargtypes::oid[])) with ordinality u(x, o) order by o) as argtypes
from pg_proc p
join pg_namespace n on n.oid = p.pronamespace
join pg_type t on t.oid = p.prorettype
where n.nspname = $1 and p.prokind = 'f'
order by p.proname, p.oid`;

const COMPOSITE_SQL = `
select a.attrelid::int8 as relid, a.attname as name, format_type(a.atttypid, a.atttypmod) as type
from pg_attribute a where a.attrelid = any($1::oid[]) and a.attnum > 0 and not a.attisdropped
order by a.attrelid, a.attnum`;

/**
 * @typedef {{name:string,type:string,category:string,nullable:boolean,default:string|null}} Column
 * @typedef {{name:string,columns:string[],refTable:string,refColumns:string[]}} ForeignKey
 * @typedef {{name:string,kind:string,columns:Map<string,Column>,columnList:string[],pk:string[],uniques:string[][],fks:ForeignKey[]}} Table
 */

/** Reads the schema cache of `schema` through `db` (a pg Pool or Client). */
export async function loadSchema(db, schema) {
	const [tables, columns, constraints, functions, tz] = await Promise.all([
		db.query(TABLES_SQL, [schema]),
		db.query(COLUMNS_SQL, [schema]),
		db.query(CONSTRAINTS_SQL, [schema]),
		db.query(FUNCTIONS_SQL, [schema]),
		db.query('select name from pg_timezone_names'),
	]);

	/** @type {Map<string, Table>} */
	const byName = new Map();
	const byOid = new Map();
	for (const r of tables.rows) {
		const t = { oid: Number(r.oid), name: r.name, kind: r.kind, columns: new Map(), columnList: [], attnums: new Map(), pk: [], uniques: [], fks: [] };
		byName.set(r.name, t);
		byOid.set(t.oid, t);
	}
	const compositeCols = new Map(); // relid of composite types (incl. tables) → [{name,type}]
	for (const r of columns.rows) {
		const relid = Number(r.relid);
		if (!compositeCols.has(relid)) compositeCols.set(relid, []);
		compositeCols.get(relid).push({ name: r.name, type: r.type });
		const t = byOid.get(relid);
		if (!t) continue;
		const col = {
			name: r.name, type: r.type, category: r.category, nullable: r.nullable,
			default: r.default, identity: r.identity || '', generated: r.generated || '',
		};
		t.columns.set(r.name, col);
		t.columnList.push(r.name);
		t.attnums.set(Number(r.num), r.name);
	}
	const names = (t, nums) => (nums || []).map((n) => t.attnums.get(Number(n)));
	for (const r of constraints.rows) {
		const t = byOid.get(Number(r.relid));
		if (!t) continue;
		if (r.type === 'p') t.pk = names(t, r.cols);
		else if (r.type === 'u') t.uniques.push(names(t, r.cols));
		else if (r.type === 'f') {
			const ref = byOid.get(Number(r.frelid));
			if (!ref) continue; // points outside the exposed schema
			t.fks.push({ name: r.name, columns: names(t, r.cols), refTable: ref.name, refColumns: names(ref, r.fcols) });
		}
	}

	const fnByName = new Map();
	const missingComposite = [];
	for (const r of functions.rows) {
		const argnames = r.argnames || [];
		const argmodes = r.argmodes && r.argmodes.length ? r.argmodes : r.argtypes.map(() => 'i');
		const params = [];
		const outs = [];
		r.argtypes.forEach((type, i) => {
			const mode = argmodes[i] || 'i';
			const name = argnames[i] || '';
			if (mode === 'i' || mode === 'b' || mode === 'v') params.push({ name, type, variadic: mode === 'v' });
			if (mode === 'o' || mode === 'b' || mode === 't') outs.push({ name, type });
		});
		const required = params.length - Number(r.nargdefaults || 0);
		params.forEach((p, i) => { p.required = i < required; });
		const fn = {
			oid: Number(r.oid), name: r.name, volatility: r.volatility, retset: r.retset,
			rettype: r.rettype, params, outs, retrelid: Number(r.retrelid), rettyptype: r.rettyptype,
		};
		// What it returns: void, a scalar, or rows of a composite (table type or OUT columns).
		if (r.rettype === 'void') fn.returns = 'void';
		else if (r.rettyptype === 'c') {
			fn.returns = 'composite';
			const table = byOid.get(fn.retrelid);
			fn.table = table || null;
			if (!table && !compositeCols.has(fn.retrelid)) missingComposite.push(fn.retrelid);
		} else if (outs.length > 1 || (outs.length === 1 && argmodes.includes('t'))) {
			fn.returns = 'composite';
			fn.outColumns = outs;
		} else if (r.rettype === 'record') {
			fn.returns = 'composite'; // setof record without OUT columns: PostgreSQL decides
			fn.outColumns = null;
		} else fn.returns = 'scalar';
		if (!fnByName.has(r.name)) fnByName.set(r.name, []);
		fnByName.get(r.name).push(fn);
	}
	if (missingComposite.length) {
		const res = await db.query(COMPOSITE_SQL, [missingComposite]);
		for (const r of res.rows) {
			const relid = Number(r.relid);
			if (!compositeCols.has(relid)) compositeCols.set(relid, []);
			compositeCols.get(relid).push({ name: r.name, type: r.type });
		}
	}
	for (const list of fnByName.values()) {
		for (const fn of list) {
			if (fn.returns === 'composite' && !fn.table && !fn.outColumns && fn.rettype !== 'record') {
				fn.outColumns = compositeCols.get(fn.retrelid) || null;
			}
		}
	}

	return {
		schema,
		tables: byName,
		functions: fnByName,
		timezones: new Set(tz.rows.map((r) => r.name)),
		loadedAt: new Date(),
	};
}

/** A function's result as a pseudo-table (for select/filter/order on RPC results). */
export function functionRelation(fn) {
	if (fn.table) return fn.table;
	const columns = new Map();
	const list = [];
	for (const c of fn.outColumns || []) {
		columns.set(c.name, { name: c.name, type: c.type, nullable: true, default: null });
		list.push(c.name);
	}
	return { name: fn.name, kind: 'f', columns, columnList: list, pk: [], uniques: [], fks: [], open: !fn.outColumns };
}

/** Closest table name (PostgREST's fuzzy hint for PGRST205), or null. */
export function suggestTable(cache, name) {
	let best = null;
	let bestScore = 0;
	for (const t of cache.tables.keys()) {
		const s = similarity(name, t);
		if (s > bestScore) { bestScore = s; best = t; }
	}
	return bestScore >= 0.75 ? best : null;
}

// Levenshtein-based similarity in [0,1] (PostgREST uses a fuzzy set with a 0.75 threshold).
function similarity(a, b) {
	a = a.toLowerCase();
	b = b.toLowerCase();
	const m = a.length;
	const n = b.length;
	if (!m && !n) return 1;
	const d = Array.from({ length: m + 1 }, (_, i) => [i, ...Array(n).fill(0)]);
	for (let j = 1; j <= n; j++) d[0][j] = j;
	for (let i = 1; i <= m; i++) {
		for (let j = 1; j <= n; j++) {
			d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
		}
	}
	return 1 - d[m][n] / Math.max(m, n);
}
