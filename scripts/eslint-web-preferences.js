// ESLint rule `kassa/no-insecure-web-preferences`: the web preferences that would undo the
// renderer's isolation (docs/security.md, "The renderer") may not be written anywhere, in
// product code, tests or scripts: `sandbox: false`, `nodeIntegration: true` (and its worker
// and subframe variants), `contextIsolation: false`, `webSecurity: false`,
// `allowRunningInsecureContent: true`, `webviewTag: true`. It catches them as object
// properties (`{ sandbox: false }`, `{ 'sandbox': false }`) and as assignments
// (`prefs.sandbox = false`, `prefs['sandbox'] = false`). A value that is not a literal
// (`sandbox: flag`) is refused as well: these are decided once, in window-factory.ts, as
// literals a reader can check at a glance. test/web-preferences-rule.test.ts proves it bites.

/** The preference and the one literal value it must have. */
export const REQUIRED_WEB_PREFERENCES = {
  sandbox: true,
  contextIsolation: true,
  webSecurity: true,
  nodeIntegration: false,
  nodeIntegrationInWorker: false,
  nodeIntegrationInSubFrames: false,
  allowRunningInsecureContent: false,
  webviewTag: false,
};

function keyName(node, computed) {
  if (node.type === 'Identifier' && !computed) return node.name;
  if (node.type === 'Literal' && typeof node.value === 'string') return node.value;
  if (node.type === 'TemplateLiteral' && node.expressions.length === 0) return node.quasis[0].value.cooked;
  return undefined;
}

/** The literal boolean `node` is, through `!0`-style tricks and `as` casts too, or undefined. */
function literalBoolean(node) {
  if (node.type === 'Literal' && typeof node.value === 'boolean') return node.value;
  if (node.type === 'TSAsExpression' || node.type === 'TSSatisfiesExpression' || node.type === 'TSNonNullExpression') return literalBoolean(node.expression);
  if (node.type === 'UnaryExpression' && node.operator === '!') {
    if (node.argument.type === 'Literal') return !node.argument.value;
    const inner = literalBoolean(node.argument);
    return inner === undefined ? undefined : !inner;
  }
  return undefined;
}

export const webPreferencesRule = {
  meta: {
    type: 'problem',
    docs: { description: 'refuse web preferences that undo the renderer sandbox and isolation' },
    schema: [],
    messages: {
      insecure: '{{name}}: {{value}} undoes the renderer\'s isolation (docs/security.md); every window gets {{name}}: {{wanted}} from main/electron/window-factory.ts',
      notLiteral: '{{name}} must be the literal {{wanted}} (docs/security.md): a computed value can turn it off',
    },
  },
  create(context) {
    function check(node, name, valueNode) {
      if (!Object.hasOwn(REQUIRED_WEB_PREFERENCES, name)) return;
      const wanted = REQUIRED_WEB_PREFERENCES[name];
      const value = literalBoolean(valueNode);
      if (value === wanted) return;
      if (value === undefined) {
        // Shorthand `{ sandbox }` or a variable: only a problem where a literal false could hide.
        context.report({ node, messageId: 'notLiteral', data: { name, wanted: String(wanted) } });
        return;
      }
      context.report({ node, messageId: 'insecure', data: { name, value: String(value), wanted: String(wanted) } });
    }
    return {
      Property(node) {
        if (node.parent.type !== 'ObjectExpression') return;
        const name = keyName(node.key, node.computed);
        if (name !== undefined) check(node, name, node.value);
      },
      AssignmentExpression(node) {
        if (node.left.type !== 'MemberExpression') return;
        const name = keyName(node.left.property, node.left.computed);
        if (name !== undefined) check(node, name, node.right);
      },
    };
  },
};
