// The soak's HTTP endpoint for workflow steps, in its own process (its memory is measured too).
// Unlike scripts/mock-apis it keeps no log of requests, only counters, so its memory stays flat.
//   POST|GET /fast?tag=x        answers {"ok":true,"n":<count>} at once
//   POST|GET /slow?tag=x        answers after a random 1-3 s (SOAK_SLOW_MIN_MS..SOAK_SLOW_MAX_MS)
//   GET /__stats                {"byTag":{…},"inFlight":n}
// SOAK_SINK_PORT (0: any free port); prints `listening <port>` on stdout once ready.
import http from 'node:http';

const SLOW_MIN = Number(process.env.SOAK_SLOW_MIN_MS ?? 1000);
const SLOW_MAX = Number(process.env.SOAK_SLOW_MAX_MS ?? 3000);
const byTag = {};
let inFlight = 0;

const server = http.createServer((req, res) => {
  const url = new URL(req.url, 'http://sink');
  if (url.pathname === '/__stats') {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ byTag, inFlight }));
    return;
  }
  const slow = url.pathname === '/slow';
  if (!slow && url.pathname !== '/fast') {
    res.writeHead(404, { 'content-type': 'application/json' });
    res.end('{"error":"not found"}');
    return;
  }
  inFlight++;
  req.resume();
  req.on('end', () => {
    const tag = (url.searchParams.get('tag') ?? 'untagged').slice(0, 32);
    const n = (byTag[tag] = (byTag[tag] ?? 0) + 1);
    const answer = () => {
      inFlight--;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ ok: true, tag, n }));
    };
    if (slow) setTimeout(answer, SLOW_MIN + Math.random() * (SLOW_MAX - SLOW_MIN));
    else answer();
  });
});
server.keepAliveTimeout = 30_000;
server.listen(Number(process.env.SOAK_SINK_PORT ?? 0), '127.0.0.1', () => console.log(`listening ${server.address().port}`));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
