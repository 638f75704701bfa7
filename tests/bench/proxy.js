// A TCP proxy that adds latency, for the bench (bench.js): what a store (or
// any server) a network away costs a client that waits for each answer.
//
//   const p = await startDelayProxy({ port: upstreamPort, delayMs: 50 });
//   ... clients use http://127.0.0.1:${p.port} ...
//   p.setDelay(0); await p.close();
//
// Every byte the client sends reaches the server delayMs later, in order (a
// chunk leaves at max(arrival + delayMs, the previous chunk's departure)), and
// a new connection reaches the server delayMs after it was opened: one HTTP
// request answered on a kept-alive connection costs delayMs more, a new
// connection 2 × delayMs (its handshake, then its first request). Answers
// flow back at once. It knows nothing of HTTP, so keep-alive, pipelining and
// bodies of any size pass as they are; absolute URLs a server puts in its
// answers (GitHub's Link headers) still name the server, which is why the
// fake GitHub's own latencyMs is used for GitHub and this for the store.
import net from 'node:net';

export async function startDelayProxy({ host = '127.0.0.1', port, delayMs = 0 } = {}) {
  if (!port) throw new Error('startDelayProxy: the upstream port is required');
  let delay = delayMs;
  let connections = 0;
  const sockets = new Set();
  const server = net.createServer((client) => {
    connections++;
    client.setNoDelay(true);
    sockets.add(client);
    const opened = Date.now();
    let upstream = null;
    let last = 0; // when the previous chunk left (ms since epoch)
    let closed = false;
    const queue = []; // chunks waiting for the upstream connection
    const close = () => {
      if (closed) return;
      closed = true;
      client.destroy();
      upstream?.destroy();
      sockets.delete(client);
    };
    const send = (chunk, at) => {
      const wait = Math.max(at, last) - Date.now();
      last = Math.max(at, last);
      const go = () => { if (!closed) upstream.write(chunk); };
      if (wait > 0) setTimeout(go, wait); else go();
    };
    client.on('data', (chunk) => {
      const at = Date.now() + delay;
      if (upstream?.readyState === 'open') send(chunk, at);
      else queue.push([chunk, at]);
    });
    client.on('end', () => setTimeout(() => upstream?.end(), Math.max(0, last - Date.now())));
    client.on('error', close);
    client.on('close', close);
    setTimeout(() => {
      if (closed) return;
      upstream = net.connect({ host, port }, () => {
        upstream.setNoDelay(true);
        for (const [chunk, at] of queue.splice(0)) send(chunk, at);
      });
      upstream.on('data', (chunk) => { if (!closed) client.write(chunk); });
      upstream.on('end', () => client.end());
      upstream.on('error', close);
      upstream.on('close', close);
    }, Math.max(0, opened + delay - Date.now()));
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, resolve);
  });
  return {
    port: server.address().port,
    url: `http://${host}:${server.address().port}`,
    get connections() { return connections; },
    get delayMs() { return delay; },
    setDelay(ms) { delay = ms; },
    close() {
      for (const s of sockets) s.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
