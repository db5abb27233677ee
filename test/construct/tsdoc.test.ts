/**
 * Every public field of the construct's and verify's exported interfaces and classes carries
 * TSDoc (STYLE: TSDoc on every exported prop/interface field), checked with the TypeScript parser.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';

const root = join(__dirname, '../..');

/** "Owner.field" for every property of an exported interface or class that has no TSDoc. */
function undocumented(file: string): string[] {
  const source = ts.createSourceFile(file, readFileSync(join(root, file), 'utf8'), ts.ScriptTarget.Latest, true);
  const missing: string[] = [];
  const exported = (n: ts.Node) => ts.canHaveModifiers(n) && (ts.getModifiers(n) ?? []).some((m) => m.kind === ts.SyntaxKind.ExportKeyword);
  for (const statement of source.statements) {
    if (!(ts.isInterfaceDeclaration(statement) || ts.isClassDeclaration(statement)) || !exported(statement)) continue;
    const owner = statement.name?.text ?? '(anonymous)';
    for (const member of statement.members) {
      const isField = ts.isPropertySignature(member) || ts.isPropertyDeclaration(member);
      const isPrivate = ts.canHaveModifiers(member) && (ts.getModifiers(member) ?? []).some((m) => m.kind === ts.SyntaxKind.PrivateKeyword);
      if (!isField || isPrivate) continue;
      if (ts.getJSDocCommentsAndTags(member).length === 0) missing.push(`${owner}.${member.name.getText(source)}`);
    }
  }
  return missing;
}

test.each(['lib/construct/nat-gateway-lab.ts', 'lib/aws/verify.ts'])('%s: every public field has TSDoc', (file) => {
  expect(undocumented(file)).toEqual([]);
});
