// Part of `npm run build` (scripts/bundle-cli.ts): gives the CLI bundles back the `const` that
// esbuild takes from every top-level declaration when it bundles (it writes `var`, and has no
// option to keep `const`: https://esbuild.github.io/faq/#top-level-var).
//
// Why: V8 (Node 20) folds a module `const` into the code that reads it, and cannot fold a `var`.
// The text kernels read their lookup tables and shared buffers from module constants in their
// hottest loops: the word tokenizer ran at 1.25 µs per ~500-character response from tsc's output
// and at 2.9 µs from the bundle, the same code; with these declarations `const` again, 1.23 µs.
//
// Which declarations: a top-level `var NAME = init` in a module of our own (the bundle marks each
// module with its path, `// dist/src/...js` or `// dist/operators/...js`: tsc's output of our
// source, which declares nothing with `var`, so each came from a `const` or a `let`), whose NAME is never assigned
// anywhere in the bundle (by name, in any scope: conservative). A `let` never assigned behaves as
// a `const`, including its temporal dead zone, so the program is the one tsc's output runs. The
// rewrite `var NAME = ` -> `const NAME=` keeps the line's length, so the initializer stays where
// the source map says it is.
import ts from 'typescript';

/** Module header lines esbuild writes before each bundled module, e.g. `// dist/src/kernels/ascii-units.js`. */
const MODULE_HEADER = /^\/\/ (\S+)$/gm;
const OWN_MODULE = /^dist\/(src|operators)\/.+\.js$/;

/** Every identifier written to anywhere in `file`: assignment targets, ++/--, for-in/of heads. */
function assignedNames(file: ts.SourceFile): Set<string> {
  const assigned = new Set<string>();
  const collect = (target: ts.Node): void => {
    if (ts.isIdentifier(target)) assigned.add(target.text);
    // `table[i] = x`, `object.field = x` write into a value, not to the binding that holds it.
    else if (ts.isPropertyAccessExpression(target) || ts.isElementAccessExpression(target)) return;
    else if (ts.isPropertyAssignment(target)) collect(target.initializer);
    else if (ts.isShorthandPropertyAssignment(target)) assigned.add(target.name.text);
    // Destructuring and parenthesized targets: every identifier inside counts (conservative).
    else target.forEachChild(collect);
  };
  const visit = (node: ts.Node): void => {
    if (
      ts.isBinaryExpression(node) &&
      node.operatorToken.kind >= ts.SyntaxKind.FirstAssignment &&
      node.operatorToken.kind <= ts.SyntaxKind.LastAssignment
    ) {
      collect(node.left);
    } else if (
      (ts.isPrefixUnaryExpression(node) || ts.isPostfixUnaryExpression(node)) &&
      (node.operator === ts.SyntaxKind.PlusPlusToken || node.operator === ts.SyntaxKind.MinusMinusToken)
    ) {
      collect(node.operand);
    } else if ((ts.isForInStatement(node) || ts.isForOfStatement(node)) && !ts.isVariableDeclarationList(node.initializer)) {
      collect(node.initializer);
    }
    node.forEachChild(visit);
  };
  visit(file);
  return assigned;
}

/** `code` (an esbuild bundle) with the top-level `var`s of our modules that are never assigned back to `const`. */
export function restoreTopLevelConst(code: string): { readonly code: string; readonly restored: number } {
  const file = ts.createSourceFile('bundle.js', code, ts.ScriptTarget.Latest, true, ts.ScriptKind.JS);
  const assigned = assignedNames(file);
  // Module headers and statements both come in position order: one walk finds each statement's.
  const headers = [...code.matchAll(MODULE_HEADER)];
  let header = -1;
  const edits: { readonly at: number; readonly from: string; readonly to: string }[] = [];
  for (const statement of file.statements) {
    if (!ts.isVariableStatement(statement)) continue;
    const list = statement.declarationList;
    if ((list.flags & ts.NodeFlags.BlockScoped) !== 0 || list.declarations.length !== 1) continue;
    const declaration = list.declarations[0]!;
    if (!ts.isIdentifier(declaration.name) || declaration.initializer === undefined) continue;
    const name = declaration.name.text;
    if (assigned.has(name)) continue;
    const at = statement.getStart(file);
    while (header + 1 < headers.length && headers[header + 1]!.index < at) header++;
    if (header < 0 || !OWN_MODULE.test(headers[header]![1]!)) continue;
    const from = `var ${name} = `;
    if (code.slice(at, declaration.initializer.getStart(file)) !== from) continue;
    edits.push({ at, from, to: `const ${name}=` });
  }
  let out = '';
  let copied = 0;
  for (const edit of edits) {
    out += code.slice(copied, edit.at) + edit.to;
    copied = edit.at + edit.from.length;
  }
  return { code: out + code.slice(copied), restored: edits.length };
}
