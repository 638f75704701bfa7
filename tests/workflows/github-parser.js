// GitHub's own workflow and action parser, npm @actions/workflow-parser (from
// actions/languageservices: the schema and template reader GitHub's editor
// uses), loaded so that it runs on Node 20, and the checks built on it.
//
//   checkWorkflow(path)  -> [messages]   parse + convert, with the reusable
//                                         workflows it calls (./.github/workflows/…)
//                                         read and their inputs/secrets checked
//   checkAction(path)    -> [messages]
//   loadWorkflow(path)   -> { path, name, root, template }   throws on any error
//
// The package imports its JSON schemas without an import attribute, which
// Node 20's ESM loader refuses; json-hook.js serves them as modules. The hook
// is registered here, before the package is first imported, so no test needs
// a command-line flag. Import the package only through this file.
import { register } from 'node:module';
import { readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

register('./json-hook.js', import.meta.url);

const wp = await import('@actions/workflow-parser');
const actionParser = await import('@actions/workflow-parser/actions/index');
const ifCondition = await import('@actions/workflow-parser/model/converter/if-condition');
const tokenIndex = await import('@actions/workflow-parser/templates/tokens/index');
const allowedContext = await import('@actions/workflow-parser/templates/allowed-context');
const tokenTypes = await import('@actions/workflow-parser/templates/tokens/types');

export const { parseWorkflow, convertWorkflowTemplate, NoOperationTraceWriter } = wp;
export const { parseAction } = actionParser;
/** GitHub's rule for `if:`: a condition with no status function runs as `success() && (…)`. */
export const { ensureStatusFunction } = ifCondition;
export const { splitAllowedContext } = allowedContext;
export const { TokenType } = tokenTypes;
export const tokens = tokenIndex;

/** The repository root: a workflow at <root>/.github/workflows/x.yml. */
export function repoRootOf(path) {
  const abs = resolve(path);
  const i = abs.lastIndexOf(`${join('.github', 'workflows')}`);
  return i > 0 ? abs.slice(0, i - 1) : dirname(abs);
}

/** The parser's FileProvider for `./.github/workflows/x.yml` references (remote ones are refused). */
export function localFiles(root, remote = {}) {
  return {
    async getFileContent(ref) {
      if ('repository' in ref) {
        const key = `${ref.owner}/${ref.repository}/${ref.path}@${ref.version}`;
        if (!remote[key]) throw new Error(`remote workflow ${key} is not available here`);
        return { name: key, content: readFileSync(remote[key], 'utf8') };
      }
      const p = join(root, ref.path);
      return { name: relative(root, p), content: readFileSync(p, 'utf8') };
    },
  };
}

function parse(path, content) {
  const root = repoRootOf(path);
  const name = relative(root, resolve(path)) || path;
  const result = parseWorkflow({ name, content: content ?? readFileSync(path, 'utf8') }, new NoOperationTraceWriter());
  return { root, name, result };
}

/**
 * Every error GitHub's parser reports for a workflow file: its schema, its
 * expressions (contexts allowed where they are used), its jobs, and for each
 * reusable workflow it calls, the inputs and secrets passed against the ones
 * declared there (one level, as GitHub's editor checks them).
 */
export async function checkWorkflow(path, { content, remote } = {}) {
  const { root, result } = parse(path, content);
  const messages = result.context.errors.getErrors().map((e) => e.message);
  if (messages.length || !result.value) return messages;
  const template = await convertWorkflowTemplate(result.context, result.value, localFiles(root, remote), {
    fetchReusableWorkflowDepth: 1,
  });
  return (template.errors ?? []).map((e) => e.Message);
}

/** Every error GitHub's parser reports for an action.yml. */
export function checkAction(path, { content } = {}) {
  const result = parseAction({ name: 'action.yml', content: content ?? readFileSync(path, 'utf8') }, new NoOperationTraceWriter());
  return result.context.errors.getErrors().map((e) => e.message);
}

/**
 * A workflow as GitHub's parser reads it: `root` is the template token tree
 * (every `${{ }}` already an expression token that knows the contexts allowed
 * where it stands), `template` the converted model (jobs, events). Throws with
 * every message when the file is not valid.
 */
export async function loadWorkflow(path, { content } = {}) {
  const { root, name, result } = parse(path, content);
  let messages = result.context.errors.getErrors().map((e) => e.message);
  let template = null;
  if (!messages.length) {
    template = await convertWorkflowTemplate(result.context, result.value, undefined, {});
    messages = (template.errors ?? []).map((e) => e.Message);
  }
  if (messages.length) {
    const err = new Error(`${name} is not a valid workflow:\n  ${messages.join('\n  ')}`);
    err.messages = messages;
    throw err;
  }
  return { path: resolve(path), root, name, token: result.value, template };
}
