// `npm start`: the stale-build check and the gateway in one Node process, so start-up pays for one
// runtime boot, not two. Arguments after `npm start --` go to `gatehouse start`.
await import('./build-if-needed.mjs');
process.argv.splice(2, 0, 'start');
await import('../dist/gatehouse.cjs');
