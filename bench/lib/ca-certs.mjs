// Every node start parses NODE_EXTRA_CA_CERTS when it is set (45.7 ms of CPU for Debian's
// bundle on the bench machine: node bench/measure/extra-ca-certs.mjs), floor and bins
// alike, so every start-up ratio would shrink toward 1 by a cost that is neither ours nor
// node's. The benchmarks measure as on a machine without it; TM_BENCH_KEEP_CA_CERTS=1 keeps it.
export const leaveOutExtraCaCerts = (who) => {
  const value = process.env.NODE_EXTRA_CA_CERTS;
  if (value === undefined) return 'unset';
  if (process.env.TM_BENCH_KEEP_CA_CERTS === '1') return 'kept';
  delete process.env.NODE_EXTRA_CA_CERTS;
  process.stderr.write(`${who}: NODE_EXTRA_CA_CERTS is set (${value}): left out of every process measured (TM_BENCH_KEEP_CA_CERTS=1 keeps it)\n`);
  return 'removed for the bench';
};
