import { log } from './report';

const tasks: Array<() => Promise<void>> = [];

/** Registers a stop function run if the bench is interrupted (SIGINT/SIGTERM); returns its remover. */
export function onInterrupt(task: () => Promise<void>): () => void {
  tasks.push(task);
  return () => {
    const i = tasks.indexOf(task);
    if (i >= 0) tasks.splice(i, 1);
  };
}

let installed = false;
export function installInterruptHandlers(): void {
  if (installed) return;
  installed = true;
  const handler = (signal: string) => {
    log(`${signal}: stopping what the bench started`);
    void (async () => {
      for (const t of tasks.splice(0).reverse()) await t().catch(() => undefined);
      process.exit(130);
    })();
  };
  process.once('SIGINT', () => handler('SIGINT'));
  process.once('SIGTERM', () => handler('SIGTERM'));
}
