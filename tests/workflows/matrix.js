// A job's matrix expanded into its jobs, by the rules GitHub documents for
// `jobs.<id>.strategy.matrix` ("Using a matrix for your jobs"):
//  - every key but include/exclude is a vector; the jobs are their product,
//    in key order then value order;
//  - an exclude entry removes each combination it matches (a partial match
//    is enough: only the keys it names are compared);
//  - each include entry is added to every combination it can join without
//    overwriting one of the original vectors' values (values added by earlier
//    include entries may be overwritten); an entry that joins none becomes a
//    job of its own;
//  - no vector and no include is an error, and so are more than 256 jobs.
import { isDeepStrictEqual } from 'node:util';

export const MAX_JOBS = 256;

const same = (a, b) => isDeepStrictEqual(a, b)
  || (typeof a === 'string' && typeof b === 'string' && a.toLowerCase() === b.toLowerCase());

/** The combinations (plain objects) of a matrix value; throws GitHub's errors. */
export function expandMatrix(matrix) {
  if (matrix === null || typeof matrix !== 'object' || Array.isArray(matrix)) {
    throw new Error(`Unexpected value '${JSON.stringify(matrix)}': a matrix is a mapping`);
  }
  const keys = Object.keys(matrix).filter((k) => k !== 'include' && k !== 'exclude');
  const include = matrix.include ?? [];
  const exclude = matrix.exclude ?? [];
  for (const [name, list] of [['include', include], ['exclude', exclude]]) {
    if (!Array.isArray(list) || list.some((e) => e === null || typeof e !== 'object' || Array.isArray(e))) {
      throw new Error(`Matrix ${name} must be a sequence of mappings`);
    }
  }
  for (const k of keys) {
    if (!Array.isArray(matrix[k])) throw new Error(`Matrix vector '${k}' is not a sequence`);
    if (matrix[k].length === 0) throw new Error(`Matrix vector '${k}' does not contain any values`);
  }
  if (!keys.length && !include.length) throw new Error('Matrix must define at least one vector');

  let combos = keys.length ? [{}] : [];
  for (const k of keys) combos = combos.flatMap((c) => matrix[k].map((v) => ({ ...c, [k]: v })));
  combos = combos.filter((c) => !exclude.some((e) => Object.entries(e).every(([k, v]) => k in c && same(c[k], v))));

  const original = new Set(keys);
  const extra = [];
  const base = combos.map((c) => ({ ...c }));
  for (const entry of include) {
    let joined = false;
    for (let i = 0; i < base.length; i++) {
      const clash = Object.entries(entry).some(([k, v]) => original.has(k) && !same(base[i][k], v));
      if (clash) continue;
      Object.assign(combos[i], entry);
      joined = true;
    }
    if (!joined) extra.push({ ...entry });
  }
  const all = [...combos, ...extra];
  if (all.length > MAX_JOBS) throw new Error(`The matrix makes ${all.length} jobs: GitHub runs at most ${MAX_JOBS} per matrix`);
  return all;
}

/** The suffix GitHub shows after a matrix job's name: "(v1, v2)". */
export function matrixLabel(combo) {
  const vals = Object.values(combo).map((v) => (v !== null && typeof v === 'object' ? JSON.stringify(v) : String(v)));
  return vals.length ? `(${vals.join(', ')})` : '';
}
