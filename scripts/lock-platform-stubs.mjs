// The npm mirror this project is built on lacks some platform-only optional packages
// (msgpackr-extract prebuilds for macOS, Windows and 32-bit ARM). `npm install` then leaves them
// out of package-lock.json and `npm ci` refuses the lock. This records them as optional,
// platform-restricted entries so `npm ci` works here and on the public registry alike.
import { readFileSync, writeFileSync } from 'node:fs';

const MISSING = {
  '@msgpackr-extract/msgpackr-extract-darwin-arm64': { cpu: ['arm64'], os: ['darwin'] },
  '@msgpackr-extract/msgpackr-extract-darwin-x64': { cpu: ['x64'], os: ['darwin'] },
  '@msgpackr-extract/msgpackr-extract-linux-arm': { cpu: ['arm'], os: ['linux'] },
  '@msgpackr-extract/msgpackr-extract-win32-x64': { cpu: ['x64'], os: ['win32'] },
};
const lock = JSON.parse(readFileSync('package-lock.json', 'utf8'));
const version = lock.packages['node_modules/msgpackr-extract']?.version;
if (!version) throw new Error('msgpackr-extract not in the lock');
for (const [name, platform] of Object.entries(MISSING)) {
  const key = `node_modules/${name}`;
  lock.packages[key] ??= { version, ...platform, license: 'MIT', optional: true };
}
lock.packages = Object.fromEntries(Object.entries(lock.packages).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a < b ? -1 : 1)));
writeFileSync('package-lock.json', JSON.stringify(lock, null, 2) + '\n');
