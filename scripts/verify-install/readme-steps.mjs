// Reads a plugin README's install section and prints what the install proof executes from it, so
// the README and scripts/verify-install.sh cannot drift apart:
//   node readme-steps.mjs sh  <README.md> "<section heading>"   -> the ```sh blocks, one command a line
//   node readme-steps.mjs backend <README.md> "<section heading>" -> the backend.add(...) statements of
//                                                                 the ```ts block for packages/backend/src/index.ts
import { readFileSync } from 'node:fs';

const [mode, file, heading] = process.argv.slice(2);
const text = readFileSync(file, 'utf8');
const start = text.indexOf(`\n## ${heading}\n`);
if (start < 0) {
  console.error(`${file}: no section "## ${heading}"`);
  process.exit(1);
}
const rest = text.slice(start + 1);
const next = rest.indexOf('\n## ', 3);
const section = next < 0 ? rest : rest.slice(0, next);
const blocks = [...section.matchAll(/```(\w+)\n([\s\S]*?)```/g)].map(m => ({
  lang: m[1],
  body: m[2],
}));

if (mode === 'sh') {
  const lines = blocks
    .filter(b => b.lang === 'sh')
    .flatMap(b => b.body.replace(/\\\n\s*/g, ' ').split('\n'))
    .map(l => l.trim())
    .filter(l => l && !l.startsWith('#'));
  if (lines.length === 0)
    throw new Error(`${file}: no sh commands in "${heading}"`);
  console.log(lines.join('\n'));
} else if (mode === 'backend') {
  const body = blocks
    .filter(
      b =>
        b.lang === 'ts' &&
        b.body.startsWith('// packages/backend/src/index.ts'),
    )
    .map(b => b.body)
    .join('\n');
  // One statement per backend.add(...) call, whitespace normalised (prettier may wrap it).
  const statements = [...body.matchAll(/backend\.add\(([\s\S]*?)\);/g)].map(
    m => `backend.add(${m[1].replace(/\s+/g, '').replace(/,$/, '')});`,
  );
  console.log(statements.join('\n'));
} else {
  console.error(`unknown mode ${mode}`);
  process.exit(2);
}
