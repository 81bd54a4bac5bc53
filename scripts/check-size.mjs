#!/usr/bin/env node
/**
 * Size rules, checked by `npm run lint`: short files and short functions are what a newcomer can read.
 * 1. no file under src/engine is over 450 lines;
 * 2. no function (declaration, expression, arrow, method; nested functions count inside their parent) in src/,
 *    scripts/ or training/*.ts is over 120 lines.
 * EXCEPTIONS lists the few that are better long, each with the reason. Prints each violation and exits 1.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

export const MAX_ENGINE_FILE_LINES = 450;
export const MAX_FUNCTION_LINES = 120;

/** `file:function` → why it stays long. */
const EXCEPTIONS = {};

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
process.chdir(root);
const walk = (dir) => readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(path.join(dir, e.name)) : [path.join(dir, e.name)]));
const files = ['src', 'scripts', 'training']
  .flatMap((d) => walk(d))
  .map((f) => f.split(path.sep).join('/'))
  .filter((f) => /\.(ts|tsx|mjs)$/.test(f) && !f.endsWith('.d.ts'))
  .sort();
const problems = [];

function functionName(node) {
  if (node.name && ts.isIdentifier(node.name)) return node.name.text;
  const p = node.parent;
  if (p && ts.isVariableDeclaration(p) && ts.isIdentifier(p.name)) return p.name.text;
  if (p && ts.isPropertyAssignment(p) && p.name) return p.name.getText();
  return '<anonymous>';
}

for (const file of files) {
  const text = readFileSync(file, 'utf8');
  const lines = text.split('\n').length - (text.endsWith('\n') ? 1 : 0);
  if (file.startsWith('src/engine/') && lines > MAX_ENGINE_FILE_LINES && !EXCEPTIONS[file]) {
    problems.push(`${file}: ${lines} lines (engine files at most ${MAX_ENGINE_FILE_LINES})`);
  }
  const kind = file.endsWith('x') ? ts.ScriptKind.TSX : file.endsWith('.mjs') ? ts.ScriptKind.JS : ts.ScriptKind.TS;
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, kind);
  const visit = (node) => {
    if (ts.isFunctionLike(node) && 'body' in node && node.body) {
      const start = source.getLineAndCharacterOfPosition(node.getStart(source)).line;
      const end = source.getLineAndCharacterOfPosition(node.getEnd()).line;
      const n = end - start + 1;
      const key = `${file}:${functionName(node)}`;
      if (n > MAX_FUNCTION_LINES && !EXCEPTIONS[key]) problems.push(`${key} (line ${start + 1}): ${n} lines (functions at most ${MAX_FUNCTION_LINES})`);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
}

if (problems.length) {
  console.error(problems.join('\n'));
  console.error(`\n${problems.length} size problem(s)`);
  process.exit(1);
}
console.log(`size: ${files.length} files, engine files ≤ ${MAX_ENGINE_FILE_LINES} lines, functions ≤ ${MAX_FUNCTION_LINES} lines`);
