// Expressions as GitHub evaluates them: every `${{ }}` goes through npm
// @actions/expressions (GitHub's lexer, parser and evaluator: its functions,
// comparisons, case-insensitive property access, `*` filters), with only the
// contexts and functions the schema allows where the expression stands (the
// parser tells each token which). Here: values between JSON and the
// evaluator's data, template tokens evaluated to values, `if:` conditions.
import { Evaluator, Lexer, Parser, data } from '@actions/expressions';
import YAML from 'yaml';
import { ensureStatusFunction, splitAllowedContext, TokenType } from './github-parser.js';

/** A plain JSON value as the evaluator's data. */
export function toData(value) {
  return JSON.parse(JSON.stringify(value ?? null), data.reviver);
}

/** The evaluator's data as a plain JSON value. */
export function fromData(d) {
  const json = JSON.stringify(d, data.replacer);
  return json === undefined ? null : JSON.parse(json);
}

/** GitHub's truthiness: null, false, 0, NaN and '' are false; anything else (objects too) true. */
export function truthy(v) {
  return !(v === null || v === undefined || v === false || v === 0 || Number.isNaN(v) || v === '');
}

/**
 * A value where the schema wants a string, as the runner converts it: booleans
 * 'true'/'false', numbers as the evaluator writes them, null ''. An object or
 * an array there is an error, as on GitHub.
 */
export function asString(v, where = 'value') {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'number') return new data.NumberData(v).coerceString();
  throw new Error(`${where}: ${Array.isArray(v) ? 'a sequence' : 'a mapping'} was not expected where a string is`);
}

/**
 * Evaluates one expression (the text between `${{` and `}}`).
 *   contexts:  { github: {...}, inputs: {...}, ... } (plain values)
 *   allowed:   the schema's list for this place, e.g. ['github', 'needs', 'success(0,MAX)'];
 *              null = every context given and every function given
 *   functions: { success: (...args) => bool, hashfiles: ... } (plain values in and out)
 * A context or function not allowed here is GitHub's parse error ("Unrecognized
 * named-value: 'matrix'"), thrown as an Error.
 */
export function evaluate(expression, contexts = {}, { allowed = null, functions = {}, where = '' } = {}) {
  let named;
  let infos;
  if (allowed) {
    ({ namedContexts: named, functions: infos } = splitAllowedContext(allowed));
  } else {
    named = Object.keys(contexts);
    infos = Object.keys(functions).map((name) => ({ name, minArgs: 0, maxArgs: Number.MAX_SAFE_INTEGER }));
  }
  const impl = new Map();
  for (const info of infos) {
    const f = functions[info.name.toLowerCase()] ?? functions[info.name];
    if (!f) continue; // allowed but not provided: the parser knows it, calling it throws below
    impl.set(info.name.toLowerCase(), {
      ...info,
      call: (...args) => toData(f(...args.map(fromData))),
    });
  }
  for (const info of infos) {
    if (!impl.has(info.name.toLowerCase())) {
      impl.set(info.name.toLowerCase(), {
        ...info,
        call: () => {
          throw new Error(`${info.name}() is not modelled by the executor`);
        },
      });
    }
  }
  try {
    const { tokens } = new Lexer(expression).lex();
    const tree = new Parser(tokens, named, infos).parse();
    const ctx = new data.Dictionary();
    for (const name of named) ctx.add(name, toData(contexts[name] ?? {}));
    return fromData(new Evaluator(tree, ctx, impl).evaluate());
  } catch (e) {
    const err = new Error(`${where ? `${where}: ` : ''}${e.message} (in \${{ ${expression} }})`);
    err.cause = e;
    throw err;
  }
}

/**
 * A template token (from the parser) evaluated to a plain value: literals as
 * they are, `${{ }}` with the contexts allowed where the token stands (a string
 * with several expressions is already one format() call), mappings and
 * sequences item by item.
 */
export function evaluateToken(token, contexts, { functions = {}, where = '' } = {}) {
  if (token === undefined || token === null) return undefined;
  switch (token.templateTokenType) {
    case TokenType.String:
    case TokenType.Number:
    case TokenType.Boolean:
      return token.value;
    case TokenType.Null:
      return null;
    case TokenType.BasicExpression: {
      const opts = { allowed: token.definitionInfo?.allowedContext ?? null, functions, where };
      // Text with expressions in it: the parser made it one format() call, but from the
      // YAML source (for a multi-line scalar, its indentation and quotes too), and the
      // evaluator unescapes only the first '' of a literal. GitHub's service evaluates
      // the scalar's value; so does this, expression by expression.
      if (token.originalExpressions?.length) return evaluateTemplateString(scalarValue(token), contexts, opts);
      return evaluate(token.expression, contexts, opts);
    }
    case TokenType.Sequence:
      return [...token].map((t, i) => evaluateToken(t, contexts, { functions, where: `${where}[${i}]` }));
    case TokenType.Mapping: {
      const out = {};
      for (const { key, value } of token) {
        const k = asString(evaluateToken(key, contexts, { functions, where }), where);
        out[k] = evaluateToken(value, contexts, { functions, where: where ? `${where}.${k}` : k });
      }
      return out;
    }
    default:
      throw new Error(`${where}: \${{ insert }} is not modelled by the executor`);
  }
}

/** The YAML value of the scalar an expression token was read from. */
function scalarValue(token) {
  const src = token.source ?? '';
  if (!src.includes('\n')) return src; // a one-line scalar's source is its value
  const header = token.blockScalarHeader ? `${token.blockScalarHeader}\n` : '';
  return YAML.parse(`x: ${header}${src}`).x;
}

/** A mapping token's entries as [key, value token] (keys are literal where it matters). */
export function entries(token) {
  if (!token || token.templateTokenType !== TokenType.Mapping) return [];
  return [...token].map(({ key, value }) => [key.value ?? String(key), value]);
}

/** A mapping token's value for `key`, or undefined. */
export function child(token, key) {
  return token && token.templateTokenType === TokenType.Mapping ? token.find(key) : undefined;
}

/**
 * An `if:` as GitHub runs it: absent or empty is `success()`; a condition
 * without a status function runs as `success() && (…)` (the parser's own
 * rule); `${{ }}` around it is optional. Returns the condition and its value.
 */
export function evaluateIf(token, contexts, { functions, allowed, where = 'if' }) {
  let cond = '';
  let info;
  if (token) {
    info = token.definitionInfo;
    cond = token.templateTokenType === TokenType.BasicExpression ? token.expression : String(token.value ?? '').trim();
  }
  const full = cond ? ensureStatusFunction(cond, info) : 'success()';
  const value = evaluate(full, contexts, { allowed: info?.allowedContext ?? allowed, functions, where });
  return { condition: full, value: truthy(value) };
}

/**
 * A string with `${{ }}` in it (an action.yml default, say) evaluated as the
 * parser would: one expression alone gives its value; otherwise the text with
 * each expression's value written in, as format() writes it. (The pieces are
 * joined here rather than handed to format(): @actions/expressions 0.3.61
 * unescapes only the first '' of a string literal.)
 */
export function evaluateTemplateString(text, contexts, opts = {}) {
  const parts = [];
  const exprs = [];
  let rest = String(text);
  for (;;) {
    const i = rest.indexOf('${{');
    if (i < 0) break;
    // The closing }} outside string literals, as the parser finds it.
    let j = -1;
    let inString = false;
    for (let k = i + 3; k < rest.length; k++) {
      if (rest[k] === "'") inString = !inString;
      else if (!inString && rest[k] === '}' && rest[k + 1] === '}') {
        j = k;
        break;
      }
    }
    if (j < 0) throw new Error(`${opts.where ?? 'value'}: the expression is not closed: ${rest.slice(i)}`);
    parts.push(rest.slice(0, i));
    exprs.push(rest.slice(i + 3, j).trim());
    rest = rest.slice(j + 2);
  }
  parts.push(rest);
  if (!exprs.length) return text;
  if (exprs.length === 1 && parts[0] === '' && parts[1] === '') return evaluate(exprs[0], contexts, opts);
  return parts.map((p, k) => p + (k < exprs.length ? toData(evaluate(exprs[k], contexts, opts)).coerceString() : '')).join('');
}
