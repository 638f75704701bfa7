// A module-loader hook for Node 20: @actions/workflow-parser imports its JSON
// schemas without an import attribute (`import schema from "./x.json"`), which
// Node's ESM loader refuses ("needs an import attribute of type json"). This
// hook serves such a JSON file as an ES module whose default export is the
// parsed document, which is what the package expects. Registered by
// github-parser.js before it imports the package; nothing else goes through it.
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

export async function load(url, context, nextLoad) {
  if (url.startsWith('file:') && url.endsWith('.json') && context.importAttributes?.type !== 'json') {
    const text = await readFile(fileURLToPath(url), 'utf8');
    return { format: 'module', shortCircuit: true, source: `export default ${text};\n` };
  }
  return nextLoad(url, context);
}
