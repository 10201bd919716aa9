/**
 * The HTTP ceiling baseline: a bare node:http server that reads the body and answers 200 with a
 * small JSON, nothing else (no verification, no stores). Run: node bare-server.js PORT
 */
import { createServer } from 'node:http';

const port = Number(process.argv[2]);
const server = createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{"status":"accepted"}');
  });
});
server.keepAliveTimeout = 65_000;
server.listen(port, '127.0.0.1', () => process.stdout.write(`listening ${port}\n`));
process.once('SIGTERM', () => server.close(() => process.exit(0)));
