/**
 * The reference server's command line: `deno run --unstable-net -A server/main.ts [options]`
 * (`npm start` runs it on the embedded defaults). `--help` lists the options.
 * SIGTERM / SIGINT shut down gracefully: clients get a going-away CLOSE with a
 * spread-out reconnect delay.
 */
import { ConfigError, helpText, parseConfig } from './config.ts';
import { startServer } from './server.ts';

async function main(): Promise<number> {
  let parsed;
  try {
    parsed = parseConfig(Deno.args, Deno.env.toObject());
  } catch (e) {
    if (e instanceof ConfigError) {
      console.error(`flare-web: ${e.message}`);
      return 2;
    }
    throw e;
  }
  if (parsed.help) {
    console.log(helpText());
    return 0;
  }
  const server = await startServer(parsed.config);
  const stop = () => {
    server.shutdown().then(() => Deno.exit(0), () => Deno.exit(1));
  };
  Deno.addSignalListener('SIGTERM', stop);
  Deno.addSignalListener('SIGINT', stop);
  return -1; // keep running
}

const code = await main();
if (code >= 0) Deno.exit(code);
