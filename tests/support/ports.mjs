// A TCP port free on loopback right now, for a service a test or bench starts next (Redis,
// PostgreSQL, a balancer): the one helper the support scripts share.
import net from 'node:net';

export async function freePort() {
  const probe = net.createServer();
  await new Promise((resolve, reject) => {
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', resolve);
  });
  const { port } = probe.address();
  await new Promise((resolve) => probe.close(resolve));
  return port;
}
