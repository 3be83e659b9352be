// The service as several nodes (docs/scale-out.md): one real Redis, server nodes sharing rooms
// through it (--redis), and a real HAProxy in front of them on one port, which is the origin the
// pages load from. For the cluster browser test.
import { runHaproxy } from '../server/harness.mjs';
import { startRedis } from '../support/redis.mjs';
import { freePort, startService } from './service.mjs';

// How the balancer spreads the load: HTTP mode, round robin. The signaling WebSockets (/ws) have
// a backend of their own, so the rotation there counts WebSockets only: two consecutive ones land
// on different nodes whatever the page loads in between (its files go round robin through the
// other backend, to the nodes the checks say are up: track). Each node is checked on /healthz
// every 200 ms and taken out after two failed checks. A dead node refuses the check's connection at
// once; a live one may take up to a second to answer (with the default, the interval, a surviving
// node busy for 200 ms on 2 cores was taken out too). A request that finds its node gone is sent to
// another (redispatch). The nodes trust the balancer's X-Forwarded-For. In the foreground (-db)
// HAProxy reports each server going DOWN or UP on stderr: haproxy.log().
function balancerConfig(port, nodes) {
  const servers = (extra) => nodes.map((n, i) => `  server n${i + 1} 127.0.0.1:${n.port} ${extra(i)}`);
  return [
    'global',
    '  maxconn 512',
    'defaults',
    '  mode http',
    '  option forwardfor',
    '  option redispatch 1',
    '  retries 2',
    '  timeout connect 1s',
    '  timeout client 30s',
    '  timeout server 30s',
    '  timeout tunnel 1h', // an upgraded WebSocket: idle between pings for up to a minute
    '  timeout http-request 10s',
    '  timeout check 1s',
    'frontend public',
    `  bind 127.0.0.1:${port}`,
    '  use_backend signaling if { path /ws }',
    '  default_backend pages',
    'backend signaling',
    '  balance roundrobin',
    '  option httpchk GET /healthz',
    '  http-check expect status 200',
    '  default-server inter 200ms fastinter 200ms downinter 500ms fall 2 rise 2',
    ...servers(() => 'check'),
    'backend pages',
    '  balance roundrobin',
    ...servers((i) => `track signaling/n${i + 1}`),
  ];
}

// A node as the test sees it: its service (origin, port, log, child) plus what it logged and holds.
function clusterNode(service, name) {
  return {
    ...service,
    name,
    // Its JSON log lines of `event` (the server logs one object per line on stderr).
    events(event) {
      return service.log
        .join('')
        .split('\n')
        .flatMap((line) => {
          try {
            const entry = JSON.parse(line);
            return entry?.event === event ? [entry] : [];
          } catch {
            return [];
          }
        });
    },
    // Open WebSockets on this node, from its own /metrics (asked directly, not through the balancer).
    async wsConnections() {
      const text = await (await fetch(`${service.origin}/metrics`)).text();
      const line = text.split('\n').find((l) => l.startsWith('cieloweb_ws_connections '));
      return Number(line.split(' ').pop());
    },
    // SIGKILL: no goodbye to anyone, as when the machine dies. Resolves once the process is gone.
    async kill() {
      const gone = new Promise((resolve) => service.child.once('exit', resolve));
      service.child.kill('SIGKILL');
      await gone;
    },
  };
}

// Redis, `count` nodes and the balancer. origin: the balancer's, where the pages load from (each
// node allows it on /ws). stop() ends them all.
export async function startCluster(count = 2) {
  const redis = await startRedis();
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  const nodes = [];
  let haproxy = null;
  const stop = async () => {
    await haproxy?.stop();
    for (const node of nodes) await node.stop();
    await redis.stop();
  };
  try {
    for (let i = 0; i < count; i += 1) {
      const args = ['--redis', redis.url, '--allowed-origins', origin, '--trusted-proxies', '127.0.0.1'];
      nodes.push(clusterNode(await startService(args), `n${i + 1}`));
    }
    haproxy = await runHaproxy(port, balancerConfig(port, nodes));
  } catch (error) {
    await stop();
    throw error;
  }
  return { origin, redis, nodes, haproxy, stop };
}
