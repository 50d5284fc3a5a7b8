import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ModelError, UsageError } from '../errors.js';
import { findPrecision, RoleConditionedSos, StochasticOutlierSelection } from './sos.js';

const rows = (xs: number[][]) => xs.map((x) => Float64Array.from(x));
const close = (a: number, b: number, tol: number, msg?: string) =>
  assert.ok(Math.abs(a - b) <= tol, `${msg ?? ''} ${a} vs ${b} (|Δ| ${Math.abs(a - b)})`);

test('equilateral triangle: every binding is 1/2, every outlier probability (1 − 1/2)² = 0.25', () => {
  // Any β fits equidistant neighbours; perplexity 30 is clipped to n − 1 = 2.
  const sos = new StochasticOutlierSelection({ perplexity: 30 }).fit(
    rows([
      [0, 0],
      [1, 0],
      [0.5, Math.sqrt(3) / 2],
    ]),
  );
  for (const p of sos.referenceProbabilities()) close(p, 0.25, 1e-12);
});

test('unit square by hand: perplexity e^H(0.4,0.4,0.2) gives β = ln 2 and P = 0.6²·0.8 = 0.288', () => {
  // Each corner has two neighbours at d² = 1 and one at d² = 2. With β = ln 2 the affinities are 1/2, 1/2, 1/4,
  // so the bindings are 0.4, 0.4, 0.2 and every corner's outlier probability is (1 − 0.4)²(1 − 0.2).
  const h = Math.exp(-(2 * 0.4 * Math.log(0.4) + 0.2 * Math.log(0.2)));
  const sos = new StochasticOutlierSelection({ perplexity: h }).fit(
    rows([
      [0, 0],
      [1, 0],
      [0, 1],
      [1, 1],
    ]),
  );
  for (const beta of sos.state!.betas) close(beta, Math.LN2, 1e-9);
  const b = sos.bindingMatrix();
  close(b[0]![1]!, 0.4, 1e-9);
  close(b[0]![3]!, 0.2, 1e-9);
  assert.equal(b[0]![0], 0);
  for (const p of sos.referenceProbabilities()) close(p, 0.288, 1e-9);
});

test('query against two reference points by hand (single neighbour: β = 1/d²)', () => {
  const sos = new StochasticOutlierSelection().fit(rows([[0], [1]]));
  for (const beta of sos.state!.betas) close(beta, 1, 0);
  // q = 0.5: b_rq = e^(−0.25) / (e^(−1) + e^(−0.25)) for both r.
  const bMid = Math.exp(-0.25) / (Math.exp(-1) + Math.exp(-0.25));
  // q = 3: from r = 0, d² = 9; from r = 1, d² = 4.
  const b0 = Math.exp(-9) / (Math.exp(-1) + Math.exp(-9));
  const b1 = Math.exp(-4) / (Math.exp(-1) + Math.exp(-4));
  const [pMid, pFar] = sos.scoreSamples(rows([[0.5], [3]]));
  close(pMid!, (1 - bMid) ** 2, 1e-15);
  close(pFar!, (1 - b0) * (1 - b1), 1e-15);
  close(pMid!, 0.1029263, 1e-7);
  close(pFar!, 0.9522547, 1e-7);
});

/** Straightforward SOS: full matrices, its own precision search (bisection on ln β over a fixed bracket). */
function naive(ref: number[][], perplexity: number, queries: number[][]) {
  const n = ref.length;
  const d2 = (a: number[], b: number[]) => a.reduce((s, v, k) => s + (v - b[k]!) ** 2, 0);
  const h = Math.min(perplexity, n - 1);
  const betas = ref.map((ri, i) => {
    const ds = ref.filter((_, j) => j !== i).map((rj) => d2(ri, rj));
    const H = (beta: number) => {
      const m = Math.min(...ds);
      const a = ds.map((d) => Math.exp(-beta * (d - m)));
      const s = a.reduce((x, y) => x + y, 0);
      return -a.reduce((acc, v) => acc + (v / s) * Math.log(v / s || 1), 0);
    };
    let lo = -60;
    let hi = 60;
    for (let it = 0; it < 200; it++) {
      const mid = (lo + hi) / 2;
      if (H(Math.exp(mid)) > Math.log(h)) lo = mid;
      else hi = mid;
    }
    return Math.exp((lo + hi) / 2);
  });
  const affinity = (i: number, x: number[]) => Math.exp(-betas[i]! * d2(ref[i]!, x));
  const B = ref.map((_, i) => {
    const s = ref.reduce((acc, rj, j) => (j === i ? acc : acc + affinity(i, rj)), 0);
    return ref.map((rj, j) => (j === i ? 0 : affinity(i, rj) / s));
  });
  const P = ref.map((_, j) => ref.reduce((acc, _r, i) => (i === j ? acc : acc * (1 - B[i]![j]!)), 1));
  const Q = queries.map((q) =>
    ref.reduce((acc, _r, i) => {
      const s = ref.reduce((t, rj, j) => (j === i ? t : t + affinity(i, rj)), 0) + affinity(i, q);
      return acc * (1 - affinity(i, q) / s);
    }, 1),
  );
  return { betas, P, Q };
}

test('matches a straightforward implementation on a 2-D cluster with an outlier', () => {
  const ref = [
    [1, 1],
    [2, 1],
    [1, 2],
    [2, 2],
    [1.45, 1.4],
    [2.2, 1.7],
    [5, 8],
  ];
  const queries = [
    [1.5, 1.5],
    [4, 4],
    [10, -3],
    [5, 8],
  ];
  for (const perplexity of [2, 3.5, 30]) {
    const sos = new StochasticOutlierSelection({ perplexity }).fit(rows(ref));
    const expected = naive(ref, perplexity, queries);
    // At h = n − 1 the search runs towards β = 0 (uniform bindings), where β itself is not well determined.
    if (perplexity < ref.length - 1) {
      sos.state!.betas.forEach((b, i) => {
        close(b, expected.betas[i]!, 1e-7 * expected.betas[i]!, 'beta');
      });
    }
    const tol = 1e-9;
    sos.referenceProbabilities().forEach((p, i) => {
      close(p, expected.P[i]!, tol, `P[${i}] h=${perplexity}`);
    });
    sos.scoreSamples(rows(queries)).forEach((p, i) => {
      close(p, expected.Q[i]!, tol, `Q[${i}] h=${perplexity}`);
    });
  }
  const uniform = new StochasticOutlierSelection({ perplexity: 30 }).fit(rows(ref));
  assert.deepEqual([...uniform.state!.betas], [0, 0, 0, 0, 0, 0, 0], 'h clipped to n − 1 is the β → 0 limit');
  for (const p of uniform.referenceProbabilities()) close(p, (5 / 6) ** 6, 1e-12);
  const probs = new StochasticOutlierSelection({ perplexity: 3 }).fit(rows(ref)).referenceProbabilities();
  assert.equal(probs.indexOf(Math.max(...probs)), 6, 'the far point is the likeliest outlier');
});

test('precision search reaches the requested perplexity on random rows, any scale', () => {
  let seed = 9;
  const rand = () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
  for (const scale of [1e-3, 1, 1e4]) {
    const e = Float64Array.from({ length: 40 }, () => rand() * scale);
    const m = Math.min(...e);
    for (let k = 0; k < e.length; k++) e[k]! -= m;
    for (const h of [1.5, 5, 20, 39]) {
      const beta = findPrecision(e, h);
      let s = 0;
      let w = 0;
      for (const v of e) {
        s += Math.exp(-beta * v);
        w += v * Math.exp(-beta * v);
      }
      close(Math.log(s) + (beta * w) / s, Math.log(h), 1e-9, `scale ${scale} h ${h}`);
    }
  }
});

test('far-away queries have probability near 1, queries inside the cluster stay low; underflow-safe', () => {
  const sos = new StochasticOutlierSelection({ perplexity: 3 }).fit(
    rows([
      [0, 0],
      [0, 1],
      [1, 0],
      [1, 1],
      [0.5, 0.5],
    ]),
  );
  const [inside, far, veryFar] = sos.scoreSamples(
    rows([
      [0.5, 0.6],
      [50, 50],
      [1e150, 1e150],
    ]),
  );
  assert.ok(inside! < 0.5, `inside ${inside}`);
  assert.ok(far! > 0.999, `far ${far}`);
  assert.equal(veryFar, 1);
  assert.deepEqual(
    [
      ...sos.predict(
        rows([
          [0.5, 0.6],
          [50, 50],
        ]),
      ),
    ],
    [0, 1],
  );
});

test('bad input is refused with one-line errors', () => {
  assert.throws(() => new StochasticOutlierSelection({ perplexity: 0.5 }), UsageError);
  assert.throws(() => new StochasticOutlierSelection().fit([]), UsageError);
  assert.throws(() => new StochasticOutlierSelection().fit(rows([[1, 2], [1]])), UsageError);
  assert.throws(() => new StochasticOutlierSelection().fit(rows([[Number.NaN]])), UsageError);
  assert.throws(() => new StochasticOutlierSelection().scoreSamples(rows([[1]])), UsageError);
  assert.throws(
    () => new StochasticOutlierSelection().fit(rows([[1, 2]])).scoreSamples(rows([[1]])),
    UsageError,
  );
});

test('role-conditioned: each device is scored against its predicted role only; round-trips through JSON', () => {
  const printers = [
    [0, 0],
    [0, 1.1],
    [1.3, 0],
    [0.9, 1.2],
    [0.4, 0.5],
  ];
  const servers = [
    [10, 10],
    [10, 11],
    [11, 10],
    [11, 11],
  ];
  const model = new RoleConditionedSos({ perplexity: 2, representation: 'test-2d' }).fit(
    rows([...printers, ...servers, [5, 5]]),
    [...printers.map(() => 'Printer'), ...servers.map(() => 'GitHub server'), 'Lonely'],
  );
  const queries = rows([
    [0.5, 0.5],
    [0.5, 0.5],
    [10.5, 10.5],
    [1, 1],
  ]);
  const roles = ['Printer', 'GitHub server', 'GitHub server', 'Lonely'];
  const got = model.score(queries, roles);
  assert.equal(got[0]!.scored, true);
  assert.ok(got[0]!.probability < 0.5);
  assert.ok(got[1]!.probability > 0.99 && got[1]!.outlier, 'a printer-like device claimed to be a server');
  assert.ok(got[2]!.probability < 0.5);
  assert.deepEqual(got[3], {
    probability: 0,
    outlier: false,
    scored: false,
    note: 'fewer than 2 reference devices for role "Lonely" (1)',
  });
  assert.equal(model.score(rows([[0, 0]]), ['Nobody'])[0]!.scored, false);
  // Five printers: the role's perplexity is min(2, (5 − 1) / 2) = 2; same number from the naive version.
  close(got[0]!.probability, naive(printers, 2, [[0.5, 0.5]]).Q[0]!, 1e-9);

  const json = JSON.parse(JSON.stringify(model.toJSON())) as unknown;
  const back = RoleConditionedSos.fromJSON(json);
  assert.deepEqual(back.score(queries, roles), got);
  assert.equal(back.representation, 'test-2d');
});

test('corrupt SOS model files are refused with ModelError', () => {
  const model = new RoleConditionedSos({ perplexity: 2 })
    .fit(
      rows([
        [0, 0],
        [0, 1],
      ]),
      ['A', 'A'],
    )
    .toJSON();
  const bad: unknown[] = [
    null,
    { ...model, kind: 'sos-lstm' },
    { ...model, version: 2 },
    { ...model, roles: { A: { rows: [[0, 0]], betas: [1, 2] } } },
    { ...model, roles: { A: { rows: [[0, 0, 0]], betas: [1] } } },
    { ...model, roles: { A: { rows: [[0, null]], betas: [1] } } },
    JSON.parse(JSON.stringify(model).replace('"betas":[', '"betas":[1e999,')),
  ];
  for (const doc of bad)
    assert.throws(() => RoleConditionedSos.fromJSON(doc), ModelError, JSON.stringify(doc));
});
