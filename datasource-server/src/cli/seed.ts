import { Agent, loadPlaybook, openStores, ThompsonSamplingChooser } from '@mwva/voice-core';
import { Registry } from 'prom-client';
import { loadEnv } from '../config/env';
import { storeOptionsFromEnv } from '../stores';
import { createEmbedder } from '../voice/embedder';

/** `voice-agent seed`: loads the playbook into the learning graph and the vector store (idempotent). */
export async function seed(): Promise<void> {
  const env = loadEnv();
  const stores = await openStores(storeOptionsFromEnv(env), new Registry());
  try {
    const agent = new Agent(
      loadPlaybook(),
      stores.graph,
      stores.vectors,
      createEmbedder(),
      new ThompsonSamplingChooser(),
    );
    const counts = await agent.seed();
    process.stdout.write(
      `playbook ${agent.playbook.version}: ${counts.decisionPoints} decision points, ${counts.candidates} candidate lines, ` +
        `${counts.examples} intent examples loaded\n`,
    );
  } finally {
    await stores.close();
  }
}
