// GitHub GraphQL point cost and node count of a query, computed from the query
// text alone, the way GitHub documents it
// (docs.github.com/en/graphql/overview/rate-limits-and-query-limits-for-the-graphql-api):
//
//   requests  = for every connection in the query, the number of requests needed
//               to fulfil it assuming every `first`/`last` is reached, i.e. the
//               product of the page sizes of the connections above it (1 at the top);
//   cost      = max(1, round(requests / 100));
//   nodeCount = for every connection, its page size times that same product.
//
// A field is a connection when the schema says its type ends in "Connection"
// (or, without a schema, when it is given `first` or `last`). Aliases count
// separately; fragments are expanded; @skip/@include with literal or variable
// conditions are honoured. Pure functions, no I/O.
//
// Two readings of the documented algorithm ("Add up the number of requests needed
// to fulfill each unique connection in the call. Assume every request will reach
// the `first` or `last` argument limits."):
//
// * A connection selected with only `totalCount` (e.g. `commits { totalCount }`)
//   is still a connection the API must fulfil once per parent, so it counts as
//   requests like any other, and as 0 nodes (it returns none). This is the
//   conservative reading: it never predicts less than GitHub charges.
// * A list of objects fetched by id (`nodes(ids: [...])`) is not a connection, so
//   it costs no request itself, but every connection under it must be fulfilled
//   once per id ("the API has to connect to each of the N …"), so it multiplies
//   what is nested under it by the number of ids, as a connection's page size
//   does. `node(id:)` returns one object and multiplies by 1.

import { Kind, getNamedType, isInterfaceType, isListType, isNonNullType, isObjectType, parse } from 'graphql';

function argValue(node, variables) {
  if (!node) return undefined;
  switch (node.kind) {
    case Kind.INT: return Number.parseInt(node.value, 10);
    case Kind.FLOAT: return Number(node.value);
    case Kind.BOOLEAN: return node.value;
    case Kind.NULL: return null;
    case Kind.VARIABLE: return variables[node.name.value];
    case Kind.STRING: case Kind.ENUM: return node.value;
    case Kind.LIST: return node.values.map((v) => argValue(v, variables));
    default: return undefined;
  }
}

function fieldArg(field, name, variables) {
  const a = field.arguments?.find((x) => x.name.value === name);
  return a ? argValue(a.value, variables) : undefined;
}

function included(node, variables) {
  for (const d of node.directives ?? []) {
    const cond = d.arguments?.find((a) => a.name.value === 'if');
    const v = cond ? argValue(cond.value, variables) : undefined;
    if (d.name.value === 'skip' && v === true) return false;
    if (d.name.value === 'include' && v === false) return false;
  }
  return true;
}

/** Variables with the operation's declared defaults filled in. */
function withDefaults(op, variables) {
  const out = { ...variables };
  for (const def of op.variableDefinitions ?? []) {
    const name = def.variable.name.value;
    if (out[name] === undefined && def.defaultValue) out[name] = argValue(def.defaultValue, {});
  }
  return out;
}

/**
 * Compute { cost, requests, nodeCount, connections } for a GraphQL document.
 *   document: a string or a parsed DocumentNode
 *   options:  { variables, operationName, schema (a GraphQLSchema, optional) }
 * `connections` lists every connection met: { path, pageSize, requests, nodes }.
 * Throws only if the text does not parse or the operation is not found.
 */
export function computeCost(document, { variables = {}, operationName, schema } = {}) {
  const doc = typeof document === 'string' ? parse(document) : document;
  const ops = doc.definitions.filter((d) => d.kind === Kind.OPERATION_DEFINITION);
  const op = operationName ? ops.find((d) => d.name?.value === operationName) : ops[0];
  if (!op) throw new Error(`operation ${operationName ?? '(anonymous)'} not found`);
  const fragments = new Map(doc.definitions
    .filter((d) => d.kind === Kind.FRAGMENT_DEFINITION)
    .map((d) => [d.name.value, d]));
  const vars = withDefaults(op, variables);

  const rootType = schema
    ? (op.operation === 'mutation' ? schema.getMutationType() : op.operation === 'subscription'
      ? schema.getSubscriptionType() : schema.getQueryType())
    : null;

  let requests = 0;
  let nodeCount = 0;
  const connections = [];

  const isConnection = (parentType, field) => {
    if (parentType && (isObjectType(parentType) || isInterfaceType(parentType))) {
      const def = parentType.getFields()[field.name.value];
      if (def) return { conn: getNamedType(def.type).name.endsWith('Connection'), type: getNamedType(def.type) };
    }
    const conn = fieldArg(field, 'first', vars) !== undefined || fieldArg(field, 'last', vars) !== undefined;
    return { conn, type: null };
  };

  /** A list field fetched by ids (Query.nodes(ids:)): how many objects it returns, else null. */
  const idListSize = (parentType, field) => {
    const ids = fieldArg(field, 'ids', vars);
    if (!Array.isArray(ids)) return null;
    if (parentType && (isObjectType(parentType) || isInterfaceType(parentType))) {
      const def = parentType.getFields()[field.name.value];
      if (def) {
        const t = isNonNullType(def.type) ? def.type.ofType : def.type;
        return isListType(t) ? ids.length : null;
      }
    }
    return field.name.value === 'nodes' ? ids.length : null;
  };

  const walk = (selectionSet, parentType, multiplier, path, seen) => {
    for (const sel of selectionSet.selections) {
      if (!included(sel, vars)) continue;
      if (sel.kind === Kind.FIELD) {
        if (sel.name.value.startsWith('__')) continue;
        const key = sel.alias?.value ?? sel.name.value;
        const { conn, type } = isConnection(parentType, sel);
        let childMultiplier = multiplier;
        if (conn) {
          const first = fieldArg(sel, 'first', vars);
          const last = fieldArg(sel, 'last', vars);
          const size = Number.isInteger(first) ? first : Number.isInteger(last) ? last : 0;
          requests += multiplier;
          nodeCount += multiplier * size;
          connections.push({ path: [...path, key].join('.'), pageSize: size, requests: multiplier, nodes: multiplier * size });
          childMultiplier = multiplier * size;
        } else {
          const n = idListSize(parentType, sel);
          if (n !== null) childMultiplier = multiplier * n;
        }
        if (sel.selectionSet) walk(sel.selectionSet, type, childMultiplier, [...path, key], seen);
      } else if (sel.kind === Kind.INLINE_FRAGMENT) {
        const t = sel.typeCondition && schema ? schema.getType(sel.typeCondition.name.value) : parentType;
        walk(sel.selectionSet, t, multiplier, path, seen);
      } else if (sel.kind === Kind.FRAGMENT_SPREAD) {
        const frag = fragments.get(sel.name.value);
        if (!frag || seen.has(frag.name.value)) continue; // cycles are invalid anyway
        const t = schema ? schema.getType(frag.typeCondition.name.value) : parentType;
        walk(frag.selectionSet, t, multiplier, path, new Set([...seen, frag.name.value]));
      }
    }
  };

  walk(op.selectionSet, rootType, 1, [], new Set());
  return { cost: Math.max(1, Math.round(requests / 100)), requests, nodeCount, connections };
}
