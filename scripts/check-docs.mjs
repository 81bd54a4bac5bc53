#!/usr/bin/env node
/**
 * Documentation rules, checked by `npm run lint`:
 * 1. README.md is for a newcomer: at most 150 lines; figures and history live in docs/ and CHANGELOG.md, which exist;
 * 2. commit subjects since the rule came in are at most 72 characters (details go in the body). A shallow clone
 *    without that commit skips the check.
 * Prints each violation and exits 1 when there is any.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

const MAX_README_LINES = 150;
const MAX_SUBJECT = 72;
/** The first commit written under the subject rule. */
const SUBJECTS_FROM = 'e59b2ac';
/**
 * Commits that broke the rule after others had been built on them, where rewriting the shared history would have
 * cost more than the long line (one each, with the reason).
 */
const SUBJECT_EXEMPT = new Set([
  // 76 characters, found after three engineers had committed on top of it
  'daf05afe882f6f5fe2f1d01263d1da033a2c98b6',
  // 73 characters, made before the local commit-msg guard
  '8f2da2ee00f91161250f9e4b066725ad518cec68',
]);
const REQUIRED = ['README.md', 'CHANGELOG.md', 'docs/results.md', 'docs/benchmarks.md', 'docs/cli.md', 'docs/design.md', 'training/README.md'];

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
process.chdir(root);
const problems = [];

for (const f of REQUIRED) if (!existsSync(f)) problems.push(`${f} is missing`);
if (existsSync('README.md')) {
  const n = readFileSync('README.md', 'utf8').trimEnd().split('\n').length;
  if (n > MAX_README_LINES) problems.push(`README.md: ${n} lines (at most ${MAX_README_LINES}; figures go to docs/, history to CHANGELOG.md)`);
}

let subjects = null;
try {
  execFileSync('git', ['cat-file', '-e', `${SUBJECTS_FROM}^{commit}`], { stdio: 'ignore' });
  subjects = execFileSync('git', ['log', '--format=%H %s', `${SUBJECTS_FROM}^..HEAD`], { encoding: 'utf8' })
    .trim()
    .split('\n')
    .filter(Boolean);
} catch {
  // Not a git checkout, or a shallow one without the first commit of the rule: nothing to check against.
}
for (const line of subjects ?? []) {
  const hash = line.slice(0, line.indexOf(' '));
  const subject = line.slice(line.indexOf(' ') + 1);
  if (subject.length > MAX_SUBJECT && !SUBJECT_EXEMPT.has(hash))
    problems.push(`commit ${hash.slice(0, 7)}: subject of ${subject.length} characters (at most ${MAX_SUBJECT})`);
}

if (problems.length) {
  console.error(problems.join('\n'));
  console.error(`\n${problems.length} documentation problem(s)`);
  process.exit(1);
}
console.log(`docs: README ≤ ${MAX_README_LINES} lines, docs present${subjects ? `, ${subjects.length} commit subjects ≤ ${MAX_SUBJECT} characters` : ''}`);
