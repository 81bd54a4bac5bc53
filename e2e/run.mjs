// Runs the Playwright browser tests at low CPU priority (the machine's cores are shared).
// `npm run test:e2e` builds the app first, as a test build (`vite build --mode test`: the test hooks the specs
// use; vite.config.ts); extra arguments go to `playwright test`.
import { spawn } from 'node:child_process';

const args = ['-n', '10', 'npx', 'playwright', 'test', ...process.argv.slice(2)];
const child = spawn('nice', args, { stdio: 'inherit', env: { ...process.env, PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD: '1' } });
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
