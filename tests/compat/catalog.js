// What a PostgreSQL database's public schema holds, as plain data a test can
// compare before and after a migration, and the rows it holds.
//
//   const before = await catalog(db);  ...  lost(before, await catalog(db)) -> ['what was dropped or changed', ...]
//   await tableRows(db) -> { table: [row as JSON, ...] }  (ordered by id)
//
// `db` is anything with query(sql) -> rows (freshDatabase's object).

/** Columns, constraints, indexes, views, functions, triggers, RLS, policies, grants. */
export async function catalog(db) {
  const out = {};
  const into = (name, rows, key, val) => {
    out[name] = Object.fromEntries(rows.map((r) => [key(r), val(r)]));
  };
  into('columns', await db.query(`
    select c.relname as t, a.attname as col, format_type(a.atttypid, a.atttypmod) as type,
           a.attnotnull as notnull, pg_get_expr(d.adbin, d.adrelid) as def
      from pg_attribute a join pg_class c on c.oid = a.attrelid
      left join pg_attrdef d on d.adrelid = a.attrelid and d.adnum = a.attnum
     where c.relnamespace = 'public'::regnamespace and c.relkind in ('r', 'v', 'p')
       and a.attnum > 0 and not a.attisdropped`),
  (r) => `${r.t}.${r.col}`, (r) => `${r.type}${r.notnull ? ' not null' : ''}${r.def ? ` default ${r.def}` : ''}`);
  into('constraints', await db.query(`
    select conrelid::regclass::text as t, conname, pg_get_constraintdef(oid) as def, convalidated
      from pg_constraint where connamespace = 'public'::regnamespace and conrelid <> 0`),
  (r) => `${r.t}.${r.conname}`, (r) => `${r.def}${r.convalidated ? '' : ' (not validated)'}`);
  into('indexes', await db.query(`select indexname, indexdef from pg_indexes where schemaname = 'public'`),
    (r) => r.indexname, (r) => r.indexdef);
  into('views', await db.query(`select viewname, definition from pg_views where schemaname = 'public'`),
    (r) => r.viewname, (r) => r.definition);
  into('functions', await db.query(`
    select p.oid::regprocedure::text as sig, pg_get_functiondef(p.oid) as def, coalesce(p.proacl::text, '') as acl
      from pg_proc p where p.pronamespace = 'public'::regnamespace`),
  (r) => r.sig, (r) => `${r.def}\n-- acl ${r.acl}`);
  into('triggers', await db.query(`
    select tgrelid::regclass::text as t, tgname, pg_get_triggerdef(oid) as def
      from pg_trigger where not tgisinternal and tgrelid::regclass::text not like 'pg\\_%'`),
  (r) => `${r.t}.${r.tgname}`, (r) => r.def);
  into('rls', await db.query(`select relname, relrowsecurity from pg_class
     where relnamespace = 'public'::regnamespace and relkind = 'r'`),
  (r) => r.relname, (r) => r.relrowsecurity);
  into('policies', await db.query(`select tablename, policyname, cmd, roles::text as roles, qual, with_check
      from pg_policies where schemaname = 'public'`),
  (r) => `${r.tablename}.${r.policyname}`, (r) => `${r.cmd} ${r.roles} using ${r.qual} check ${r.with_check}`);
  into('grants', await db.query(`select table_name, grantee, privilege_type from information_schema.role_table_grants
      where table_schema = 'public'`),
  (r) => `${r.table_name} ${r.grantee} ${r.privilege_type}`, () => true);
  return out;
}

/** What `before` has that `after` lacks or holds differently, one line each. */
export function lost(before, after) {
  const out = [];
  for (const [kind, entries] of Object.entries(before)) {
    for (const [name, val] of Object.entries(entries)) {
      if (!(name in after[kind])) out.push(`${kind} ${name}: gone (was ${JSON.stringify(val)})`);
      else if (after[kind][name] !== val)
        out.push(`${kind} ${name}: ${JSON.stringify(val)} became ${JSON.stringify(after[kind][name])}`);
    }
  }
  return out;
}

/** What `after` has that `before` lacks, as { kind: [names] } (kinds with none left out). */
export function added(before, after) {
  const out = {};
  for (const [kind, entries] of Object.entries(after)) {
    const names = Object.keys(entries).filter((n) => !(n in before[kind])).sort();
    if (names.length) out[kind] = names;
  }
  return out;
}

/** Every row of every ordinary table of public, as JSON text, ordered by id. */
export async function tableRows(db) {
  const tables = await db.query(`select relname from pg_class
    where relnamespace = 'public'::regnamespace and relkind = 'r' order by 1`);
  const out = {};
  for (const { relname } of tables) {
    const rows = await db.query(`select to_jsonb(t) as j from public.${relname} t order by t.id`);
    out[relname] = rows.map((r) => r.j);
  }
  return out;
}
