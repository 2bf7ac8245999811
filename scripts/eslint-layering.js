// ESLint rule `kassa/layering`: ARCHITECTURE.md rule 1, "Folder = runtime". Every relative
// import is resolved against the importing file; the importer's folder must list the target's
// folder among those it may import. The table lives in eslint.config.js. A short rule of our
// own, as VS Code does for its layers: the resolver-based plugins need native resolver
// packages that this registry does not carry for every platform, which breaks `npm ci`.
import path from 'node:path';

/** The longest key of `table` that is `relative` or a folder above it (keys use `/`). */
function matchingKey(table, relative) {
  let best;
  for (const key of Object.keys(table)) {
    if ((relative === key || relative.startsWith(`${key}/`)) && (best === undefined || key.length > best.length)) best = key;
  }
  return best;
}

export const layeringRule = {
  meta: {
    type: 'problem',
    docs: { description: 'enforce which folder may import which (ARCHITECTURE.md, "The house")' },
    schema: [{ type: 'object', properties: { root: { type: 'string' }, allow: { type: 'object' } }, required: ['root', 'allow'] }],
    messages: { forbidden: '{{from}}/ must not import {{to}} (ARCHITECTURE.md, "The house"; allowed: {{allowed}})' },
  },
  create(context) {
    const { root, allow } = context.options[0];
    const importer = path.relative(root, context.filename).split(path.sep).join('/');
    const importerKey = matchingKey(allow, importer);
    if (importerKey === undefined) return {};
    const allowed = allow[importerKey];

    function check(node, source) {
      if (typeof source !== 'string' || !source.startsWith('.')) return; // packages: no-restricted-imports
      const target = path.relative(root, path.resolve(path.dirname(context.filename), source)).split(path.sep).join('/');
      // A folder may import itself. A sub-entry (main/contract, sim/cli, base/node) is a layer
      // of its own: what it may reach of its parent folder, its entry says.
      const ownFolder = importerKey;
      if (target === ownFolder || target.startsWith(`${ownFolder}/`)) return;
      if (allowed.some((folder) => target === folder || target.startsWith(`${folder}/`))) return;
      context.report({ node, messageId: 'forbidden', data: { from: importerKey, to: target, allowed: allowed.join(', ') || 'nothing outside itself' } });
    }

    return {
      ImportDeclaration: (node) => check(node, node.source.value),
      ExportNamedDeclaration: (node) => node.source && check(node, node.source.value),
      ExportAllDeclaration: (node) => check(node, node.source.value),
      ImportExpression: (node) => node.source.type === 'Literal' && check(node, node.source.value),
    };
  },
};
