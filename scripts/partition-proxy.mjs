// A TCP proxy on 127.0.0.1 in front of a local server, that can be cut (a partition:
// every connection dropped, new ones refused) and restored. The fleet tests and the
// takeover bench put one in front of PostgreSQL per simulated host.
//
//   const proxy = await partitionProxy(pg.port);   // proxy.port, cut(), restore(), close()
import net from 'node:net';

export const partitionProxy = async (targetPort) => {
  let cut = false;
  const sockets = new Set();
  const server = net.createServer((client) => {
    if (cut) return void client.destroy();
    const upstream = net.connect(targetPort, '127.0.0.1');
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => undefined);
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: server.address().port,
    cut: () => {
      cut = true;
      for (const s of sockets) s.destroy();
    },
    restore: () => {
      cut = false;
    },
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
};
