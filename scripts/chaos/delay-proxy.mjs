// A delaying TCP relay, run inside the PostgreSQL host's namespace for the slow-database scenario
// (this machine's kernel has no netem qdisc, so `tc qdisc … netem delay` is not available).
// Every chunk the server sends back is held DELAY_MS before it is passed on, in order: the same
// added round trip as `netem delay` on the PostgreSQL host's link.
//   node delay-proxy.mjs <listen host> <listen port> <upstream host> <upstream port> <delay ms>
import net from 'node:net';

const [host, port, upHost, upPort, delayArg] = process.argv.slice(2);
const DELAY_MS = Number(delayArg);

const server = net.createServer((client) => {
  const upstream = net.connect({ host: upHost, port: Number(upPort) });
  client.setNoDelay(true);
  upstream.setNoDelay(true);
  client.pipe(upstream);
  upstream.on('data', (chunk) => {
    setTimeout(() => {
      if (!client.destroyed) client.write(chunk);
    }, DELAY_MS);
  });
  // Ends and errors after the delayed data that came before them.
  upstream.on('end', () => setTimeout(() => client.end(), DELAY_MS));
  upstream.on('error', () => setTimeout(() => client.destroy(), DELAY_MS));
  client.on('error', () => upstream.destroy());
  client.on('close', () => upstream.destroy());
});
server.listen(Number(port), host, () => console.log(`delay proxy ${host}:${port} -> ${upHost}:${upPort} (+${DELAY_MS} ms)`));
