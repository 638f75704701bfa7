// Translation of a parsed PostgREST request into one parameterised SQL statement,
// shaped like PostgREST's own (QueryBuilder.hs / Statements.hs): a `pgrst_source` CTE,
// then one row with the total count, the page count and the JSON body built by
// PostgreSQL (so numbers, timestamps and jsonb come out exactly as PostgREST's do).
//
// Values are always bound as parameters. Identifiers are checked against the schema
// cache before they are quoted; the only inlined SQL besides quoted identifiers is
// validated integers (limit/offset/JSON indexes), fixed keywords, column defaults read
// from the catalog, and cast type names restricted to identifier characters.

import {
	ApiError, columnNotFound, noRelBetween, ambiguousRelBetween, notEmbedded, relatedOrderNotToOne,
	spreadNotToOne, unacceptableFilter,
} from './errors.js';
import { SIMPLE_OPS, FTS_OPS } from './parse.js';

export const ident = (s) => `"${String(s).replace(/"/g, '""')}"`;

/** Collects bind parameters. */
export class Params {
	constructor() { this.values = []; }
	add(v) {
		this.values.push(v);
		return `$${this.values.length}`;
	}
}

/** PostgreSQL's own error for an unknown column (42703), as PostgREST passes it on. */
function undefinedColumn(rel, col) {
	return new ApiError(400, { code: '42703', details: null, hint: null, message: `column ${rel}.${col} does not exist` });
}

// --- plan --------------------------------------------------------------------------------

/**
 * A read plan node: one relation in the embedding tree.
 * @typedef {object} Node
 * @property {object} table    schema cache table (or function pseudo-table)
 * @property {string} alias    SQL alias of the relation
 * @property {string} name     output key (alias or relation name)
 * @property {string|null} relName / relAlias   as written in select
 * @property {object|null} rel  relationship to the parent
 * @property {Array} fields     select items (star / field)
 * @property {Node[]} children
 * @property {Array} where      filters and logic trees
 * @property {Array} order
 * @property {{offset:number,limit:number|null}} range
 */

export class Planner {
	constructor(cache) {
		this.cache = cache;
		this.counter = 0;
	}

	/** Builds the embedding tree for `table` from parsed select items. */
	buildTree(table, items, { alias, parent = null } = {}) {
		const node = {
			table, alias: alias || table.name, name: table.name, relName: table.name, relAlias: null,
			rel: null, parent, joinType: null, spread: false, fields: [], children: [], where: [], order: [],
			range: { offset: 0, limit: null }, aggAlias: null,
		};
		for (const item of items) {
			if (item.type === 'star') node.fields.push(item);
			else if (item.type === 'field') {
				this.checkColumn(node, item.field.name);
				node.fields.push(item);
			} else {
				const { target, rel } = this.relationship(table, item.name, item.hint);
				const child = this.buildTree(target, item.children, { alias: `${target.name}_${++this.counter}`, parent: node });
				child.rel = rel;
				child.name = item.alias || item.name;
				child.relName = item.name;
				child.relAlias = item.alias;
				child.joinType = item.joinType;
				child.spread = item.spread;
				child.aggAlias = `${table.name}_${item.name}_${this.counter}`;
				if (item.spread && !rel.toOne) throw spreadNotToOne(table.name, item.name);
				node.children.push(child);
			}
		}
		return node;
	}

	checkColumn(node, name) {
		if (name === '*') return;
		if (node.table.open) return; // a function returning `setof record`: PostgreSQL decides
		if (!node.table.columns.has(name)) throw undefinedColumn(node.alias, name);
	}

	/** Finds the one foreign-key relationship between `parent` and `targetName`. */
	relationship(parent, targetName, hint) {
		const target = this.cache.tables.get(targetName);
		const schema = this.cache.schema;
		if (!target) throw noRelBetween(parent.name, targetName, hint, schema);
		const isUnique = (t, cols) => {
			const keys = [t.pk, ...t.uniques].filter((k) => k.length);
			return keys.some((k) => k.length === cols.length && k.every((c) => cols.includes(c)));
		};
		let rels = [];
		for (const fk of parent.fks || []) {
			if (fk.refTable !== target.name) continue;
			rels.push({
				card: isUnique(parent, fk.columns) ? 'one-to-one' : 'many-to-one', toOne: true, cons: fk.name,
				table: parent.name, foreignTable: target.name, cols: fk.columns.map((c, i) => [c, fk.refColumns[i]]),
			});
		}
		for (const fk of target.fks || []) {
			if (fk.refTable !== parent.name) continue;
			const unique = isUnique(target, fk.columns);
			rels.push({
				card: unique ? 'one-to-one' : 'one-to-many', toOne: unique, cons: fk.name,
				table: parent.name, foreignTable: target.name, cols: fk.refColumns.map((c, i) => [c, fk.columns[i]]),
			});
		}
		if (hint) {
			rels = rels.filter((r) => r.cons === hint ||
				(r.cols.length === 1 && (r.cols[0][0] === hint || r.cols[0][1] === hint)));
		}
		if (rels.length === 0) throw noRelBetween(parent.name, targetName, hint, schema);
		if (rels.length > 1) {
			const fmt = (cols) => `(${cols.join(', ')})`;
			const details = rels.map((r) => ({
				cardinality: r.card,
				embedding: `${r.table} with ${r.foreignTable}`,
				relationship: `${r.cons} using ${r.table}${fmt(r.cols.map((c) => c[0]))} and ${r.foreignTable}${fmt(r.cols.map((c) => c[1]))}`,
			}));
			const hintText = `Try changing '${targetName}' to one of the following: ` +
				rels.map((r) => `'${targetName}!${r.cons}'`).join(', ') + ". Find the desired relationship in the 'details' key.";
			throw ambiguousRelBetween(parent.name, targetName, details, hintText);
		}
		return { target, rel: rels[0] };
	}

	/** Attaches filters, logic trees, order and ranges from the query to the tree's nodes. */
	applyQuery(root, q, { skipRootRange = true } = {}) {
		for (const f of q.filters) {
			const node = findNode(root, f.embedPath);
			node.where.push(this.resolveFilter(node, f.field, f.expr));
		}
		for (const l of q.logic) {
			const node = findNode(root, l.embedPath);
			node.where.push(this.resolveLogic(node, l.tree));
		}
		for (const o of q.order) {
			const node = findNode(root, o.embedPath);
			node.order = o.terms.map((t) => {
				if (t.relation) {
					const child = node.children.find((c) => c.relName === t.relation || c.relAlias === t.relation);
					if (!child) throw notEmbedded(t.relation);
					if (!child.rel.toOne) throw relatedOrderNotToOne(node.table.name, t.relation);
					this.checkColumn(child, t.field.name);
					return { ...t, child };
				}
				this.checkColumn(node, t.field.name);
				return t;
			});
		}
		for (const [key, r] of q.ranges) {
			if (key === '' && skipRootRange) continue;
			const node = findNode(root, r.embedPath);
			node.range = { offset: r.offset, limit: r.limit };
		}
	}

	resolveFilter(node, field, expr) {
		if (!field.path.length) {
			const child = node.children.find((c) => c.relName === field.name || c.relAlias === field.name);
			if (child) {
				if (expr.op === 'is' && (expr.value === 'null' || expr.value === 'not_null')) {
					const isNull = (expr.value === 'null') !== expr.negate;
					return { kind: 'nullEmbed', child, isNull };
				}
				throw unacceptableFilter(field.name);
			}
		}
		this.checkColumn(node, field.name);
		return { kind: 'filter', field, expr };
	}

	resolveLogic(node, tree) {
		if (tree.type === 'filter') return this.resolveFilter(node, tree.field, tree.expr);
		return { kind: 'logic', negate: tree.negate, op: tree.op, children: tree.children.map((t) => this.resolveLogic(node, t)) };
	}
}

function findNode(root, path) {
	let node = root;
	for (const name of path) {
		const next = node.children.find((c) => c.relName === name || c.relAlias === name);
		if (!next) throw notEmbedded(name);
		node = next;
	}
	return node;
}

// --- SQL fragments -------------------------------------------------------------------------

const CAST_RE = /^[\p{L}\p{N}_ $]+(\[\])?$/u;

export class SqlBuilder {
	/** @param {string} schema @param {Params} params */
	constructor(schema, params) {
		this.schema = schema;
		this.p = params;
	}

	qi(table) { return `${ident(this.schema)}.${ident(table.name)}`; }

	fromSql(node) {
		if (node.fromSql) return node.fromSql;
		return `${this.qi(node.table)} AS ${ident(node.alias)}`;
	}

	colRef(node, field) {
		let s = `${ident(node.alias)}.${ident(field.name)}`;
		for (const step of field.path) {
			s += step.arrow + ('index' in step ? String(step.index) : `${this.p.add(step.key)}::text`);
		}
		return s;
	}

	outName(item) {
		if (item.alias) return item.alias;
		const path = item.field.path;
		if (path.length) {
			const last = path[path.length - 1];
			return 'key' in last ? last.key : item.field.name;
		}
		return item.field.name;
	}

	selectItem(node, item) {
		if (item.type === 'star') {
			if (node.expandStar) return node.table.columnList.map((c) => `${ident(node.alias)}.${ident(c)}`).join(', ');
			return `${ident(node.alias)}.*`;
		}
		let expr = this.colRef(node, item.field);
		if (item.cast) {
			if (!CAST_RE.test(item.cast)) throw undefinedColumn(node.alias, item.cast);
			expr = `CAST(${expr} AS ${item.cast})`;
		}
		const name = this.outName(item);
		return item.alias || item.field.path.length || item.cast ? `${expr} AS ${ident(name)}` : expr;
	}

	joinCond(child) {
		const parent = child.parent;
		return child.rel.cols.map(([pc, cc]) => `${ident(child.alias)}.${ident(cc)} = ${ident(parent.alias)}.${ident(pc)}`).join(' AND ');
	}

	/** A single filter on a column. */
	filterSql(node, field, expr) {
		const col = this.colRef(node, field);
		let s;
		switch (expr.op) {
			case 'in':
				s = expr.values.length ? `${col} = ANY(${this.p.add(expr.values)})` : 'false';
				break;
			case 'is':
				s = `${col} IS ${{ null: 'NULL', not_null: 'NOT NULL', true: 'TRUE', false: 'FALSE', unknown: 'UNKNOWN' }[expr.value]}`;
				break;
			case 'fts': case 'plfts': case 'phfts': case 'wfts': {
				const lang = expr.lang ? `${this.p.add(expr.lang)}::regconfig, ` : '';
				s = `${col} @@ ${FTS_OPS[expr.op]}(${lang}${this.p.add(expr.value)})`;
				break;
			}
			default: {
				const op = SIMPLE_OPS[expr.op];
				const value = expr.op === 'like' || expr.op === 'ilike' ? expr.value.replace(/\*/g, '%') : expr.value;
				s = expr.quant
					? `${col} ${op} ${expr.quant.toUpperCase()}(${this.p.add(value)})`
					: `${col} ${op} ${this.p.add(value)}`;
			}
		}
		return expr.negate ? `NOT (${s})` : s;
	}

	condSql(node, c) {
		if (c.kind === 'filter') return this.filterSql(node, c.field, c.expr);
		if (c.kind === 'nullEmbed') return `${c.isNull ? 'NOT ' : ''}EXISTS (${this.existsSql(c.child)})`;
		const inner = c.children.map((x) => this.condSql(node, x)).join(c.op === 'and' ? ' AND ' : ' OR ');
		return `${c.negate ? 'NOT ' : ''}(${inner})`;
	}

	/** WHERE conditions of a node, excluding the join condition. Cached per node. */
	whereParts(node) {
		if (node.whereCache) return node.whereCache;
		const parts = node.where.map((c) => this.condSql(node, c));
		for (const child of node.children) {
			if (child.joinType === 'inner') parts.push(`EXISTS (${this.existsSql(child)})`);
		}
		node.whereCache = parts;
		return parts;
	}

	existsSql(child) {
		const conds = [this.joinCond(child), ...this.whereParts(child)];
		return `SELECT 1 FROM ${this.fromSql(child)} WHERE ${conds.join(' AND ')}`;
	}

	orderSql(node) {
		if (!node.order.length) return '';
		return ' ORDER BY ' + node.order.map((t) => {
			const expr = t.child
				? `${ident(t.child.aggAlias)}.${ident(t.field.name)}`
				: this.colRef(node, t.field);
			return `${expr} ${t.dir === 'desc' ? 'DESC' : 'ASC'}${t.nulls ? (t.nulls === 'first' ? ' NULLS FIRST' : ' NULLS LAST') : ''}`;
		}).join(', ');
	}

	limitSql(range) {
		let s = '';
		if (range.limit !== null && range.limit !== undefined) s += ` LIMIT ${Number(range.limit)}`;
		if (range.offset) s += ` OFFSET ${Number(range.offset)}`;
		return s;
	}

	/** SELECT list and LATERAL joins of a node (embedded children included). */
	selectsJoins(node) {
		const selects = node.fields.map((f) => this.selectItem(node, f));
		const joins = [];
		for (const child of node.children) {
			if (!child.fields.length && !child.children.length) continue; // rel() : filter only
			const agg = ident(child.aggAlias);
			const sub = this.subquery(child);
			if (child.rel.toOne) {
				joins.push(`LEFT JOIN LATERAL (${sub}) AS ${agg} ON TRUE`);
				selects.push(child.spread ? `${agg}.*` : `row_to_json(${agg}.*) AS ${ident(child.name)}`);
			} else {
				joins.push(`LEFT JOIN LATERAL (SELECT json_agg(${agg}) AS ${agg} FROM (${sub}) AS ${agg}) AS ${agg} ON TRUE`);
				selects.push(`COALESCE(${agg}.${agg}, '[]') AS ${ident(child.name)}`);
			}
		}
		return { selects, joins };
	}

	subquery(node) {
		const { selects, joins } = this.selectsJoins(node);
		const conds = [this.joinCond(node), ...this.whereParts(node)];
		return `SELECT ${selects.join(', ') || 'NULL'} FROM ${this.fromSql(node)}${joins.length ? ' ' + joins.join(' ') : ''}` +
			` WHERE ${conds.join(' AND ')}${this.orderSql(node)}${this.limitSql(node.range)}`;
	}

	/** The root SELECT (filters, order and range of the root node). */
	rootSelect(root, { withWhere = true, withOrder = true, withRange = true } = {}) {
		const { selects, joins } = this.selectsJoins(root);
		const where = withWhere ? this.whereParts(root) : [];
		// An empty select (`select=`) is a row without columns, {} in JSON, as in PostgREST.
		return `SELECT ${selects.join(', ')} FROM ${this.fromSql(root)}${joins.length ? ' ' + joins.join(' ') : ''}` +
			(where.length ? ` WHERE ${where.join(' AND ')}` : '') +
			(withOrder ? this.orderSql(root) : '') + (withRange ? this.limitSql(root.range) : '');
	}

	rootWhere(root) {
		const where = this.whereParts(root);
		return where.length ? ` WHERE ${where.join(' AND ')}` : '';
	}

	/**
	 * FROM … of PostgREST's payload handling: the raw JSON body (bound as text, parsed by
	 * PostgreSQL so 64-bit integers are never rounded) turned into typed rows `pgrst_body`.
	 */
	fromJsonBody(rawBody, columns, table, { applyDefaults = false, limitOne = false } = {}) {
		const body = this.p.add(rawBody);
		let s = `FROM (SELECT ${body}::json AS json_data) pgrst_payload, ` +
			"LATERAL (SELECT CASE WHEN json_typeof(pgrst_payload.json_data) = 'array' THEN pgrst_payload.json_data " +
			'ELSE json_build_array(pgrst_payload.json_data) END AS val) pgrst_uniform_json, ';
		let val = 'pgrst_uniform_json.val';
		if (applyDefaults) {
			const defs = columns
				.map((c) => table.columns.get(c))
				.filter((c) => c && c.default !== null && c.default !== undefined)
				.map((c) => `${this.p.add(c.name)}::text, ${c.default}`);
			s += `LATERAL (SELECT jsonb_agg(jsonb_build_object(${defs.join(', ')}) || elem) AS val ` +
				'FROM jsonb_array_elements(pgrst_uniform_json.val::jsonb) elem) pgrst_json_defs, ';
			val = 'pgrst_json_defs.val::json';
		}
		if (columns.length) {
			const typed = columns.map((c) => `${ident(c)} ${table.columns.get(c).type}`).join(', ');
			s += `LATERAL (SELECT * FROM json_to_recordset(${val}) AS _(${typed})${limitOne ? ' LIMIT 1' : ''}) pgrst_body`;
		} else {
			s += `LATERAL (SELECT * FROM json_array_elements(${val}) _${limitOne ? ' LIMIT 1' : ''}) pgrst_body`;
		}
		return s;
	}
}

/** Body expression over the `_postgrest_t` rows for a media type. */
export function bodyExpr(media, { scalar = false, single = false } = {}) {
	const v = scalar ? '_postgrest_t.pgrst_scalar' : '_postgrest_t';
	if (media === 'none') return "''";
	if (media === 'single' || single) return `coalesce((json_agg(${v})->0)::text, 'null')`;
	if (media === 'csv') {
		return "(SELECT coalesce(string_agg(a.k, ','), '') FROM (SELECT json_object_keys(r) AS k FROM " +
			'(SELECT row_to_json(hh) AS r FROM pgrst_source AS hh LIMIT 1) s) a) || chr(10) || ' +
			"coalesce(string_agg(substring(_postgrest_t::text, 2, length(_postgrest_t::text) - 2), chr(10)), '')";
	}
	return `coalesce(json_agg(${v}), '[]')::text`;
}

/** Checks payload/`columns` names against the table: PGRST204 for unknown ones. */
export function checkPayloadColumns(table, columns) {
	for (const c of columns) {
		if (!table.columns.has(c)) throw columnNotFound(table.name, c);
	}
}
