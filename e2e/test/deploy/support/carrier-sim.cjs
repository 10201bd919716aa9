// The Telnyx-side simulator in its own process, for the deployment stack tests: it must trust
// the test CA (NODE_EXTRA_CA_CERTS) to deliver webhooks to nginx over HTTPS, which only works
// for a process started with it. Uses the compiled voice-core (`npm test` runs tsc -b first).
// Env: SIM_PORT, SIM_API_KEY, SIM_WEBHOOK_URL, SIM_CONNECTION_ID, SIM_SIGNING_KEY_PEM, SIM_TIME_SCALE.
// Prints one JSON line {url, publicKeyBase64} when listening; stops on SIGTERM.
const { createPrivateKey } = require('node:crypto');
const path = require('node:path');
const { simulator } = require(path.join(__dirname, '../../../../voice-core/dist/index.js'));

async function main() {
  const sim = await simulator.createCarrierSimulator({
    host: '127.0.0.1',
    port: Number(process.env.SIM_PORT),
    apiKey: process.env.SIM_API_KEY,
    webhookUrl: process.env.SIM_WEBHOOK_URL,
    connectionId: process.env.SIM_CONNECTION_ID,
    signingKey: createPrivateKey(process.env.SIM_SIGNING_KEY_PEM),
    seed: 42,
    timeScale: Number(process.env.SIM_TIME_SCALE || '0.05'),
    dialRatePerSecond: 100,
  });
  process.stdout.write(JSON.stringify({ url: sim.url, publicKeyBase64: sim.publicKeyBase64 }) + '\n');
  process.once('SIGTERM', () => {
    const s = sim.stats();
    process.stderr.write(JSON.stringify({ webhooks: s.webhooks ?? null }) + '\n');
    sim.close().finally(() => process.exit(0));
  });
}

main().catch((err) => {
  process.stderr.write(String(err && err.stack ? err.stack : err) + '\n');
  process.exit(1);
});
