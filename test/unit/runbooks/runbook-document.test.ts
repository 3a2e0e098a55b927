import { describe, expect, it } from 'vitest';
import { parseRunbook, resolveParams } from '../../../src/main/runbooks/runbook-document';
import { builtInSteps } from '../../../src/main/runbooks/step-registry';
import { BUILTIN_RUNBOOKS } from '../../../src/main/runbooks/builtin-runbooks';

const kinds = builtInSteps();

describe('runbook documents', () => {
  it('names the line of an unknown step, a missing parameter and a wrong type', () => {
    const yaml = [
      'name: broken', //                                   1
      'title: Three mistakes', //                          2
      'params:', //                                        3
      '  node: { type: node, description: the node }', //  4
      'steps:', //                                         5
      '  - id: first', //                                  6
      '    uses: pki.rooot', //                            7  unknown step
      '  - id: second', //                                 8
      '    uses: aio.wait-listener', //                    9
      '    with:', //                                      10
      '      node: "${nodee}"', //                         11 missing parameter
      '      listener: loadbalancer-listener', //          12
      '      timeoutSeconds: soon', //                     13 wrong type
    ].join('\n');
    const r = parseRunbook(yaml, kinds);
    expect(r.ok).toBe(false);
    const problems = r.ok ? [] : r.problems;
    expect(problems.map((p) => p.line)).toEqual([7, 11]);
    expect(problems[0]?.message).toContain('"pki.rooot", which is not a step Fieldbench knows');
    expect(problems[1]?.message).toContain('${nodee}, which the runbook does not declare');
    // The wrong type is found once the reference is mended (its step's inputs are checked with the reference filled in).
    const mended = parseRunbook(yaml.replace('${nodee}', '${node}'), kinds);
    const p2 = mended.ok ? [] : mended.problems;
    expect(p2.map((p) => p.line)).toEqual([7, 13]);
    expect(p2[1]?.message).toMatch(/timeoutSeconds: .*number/i);
  });

  it('reports all three at once when they sit in different steps', () => {
    const yaml = `name: three
title: Three
params:
  count: { type: integer, default: many }
steps:
  - id: a
    uses: no.such-step
  - id: b
    uses: pki.root
    with: { commonName: "\${missing}" }
  - id: c
    uses: pki.root
    with: { commonName: Root, days: ten }
`;
    const r = parseRunbook(yaml, kinds);
    const problems = r.ok ? [] : r.problems;
    expect(problems.map((p) => p.line)).toEqual([4, 7, 10, 13]);
    expect(problems[0]?.message).toContain('default "many" must be a whole number');
  });

  it('names a YAML syntax error by its line', () => {
    const r = parseRunbook('name: x\ntitle: y\nsteps:\n  - id: a\n    uses: [pki.root\n', kinds);
    expect(r.ok).toBe(false);
    expect(r.ok ? 0 : r.problems[0]?.line).toBeGreaterThanOrEqual(5);
  });

  it('refuses a reference to an output an earlier step does not have', () => {
    const yaml = 'name: x\ntitle: y\nsteps:\n  - id: root\n    uses: pki.root\n    with: { commonName: R }\n  - id: mid\n    uses: pki.intermediate\n    with: { commonName: I, issuer: "${steps.root.serial}" }\n';
    const r = parseRunbook(yaml, kinds);
    expect(r.ok ? [] : r.problems.map((p) => [p.line, p.message])).toEqual([[9, expect.stringContaining('step "root" has no output "serial" (it has: certificateId)')]]);
  });

  it('parses every built-in runbook, and checks parameters before a run', () => {
    for (const [name, yaml] of Object.entries(BUILTIN_RUNBOOKS)) {
      const r = parseRunbook(yaml, kinds);
      expect(r.ok ? [] : r.problems, name).toEqual([]);
      expect(r.ok && r.runbook.name).toBe(name);
    }
    const seed = parseRunbook(BUILTIN_RUNBOOKS['x509-loadbalancer-listener'] as string, kinds);
    if (!seed.ok) throw new Error('built-in does not parse');
    expect(seed.runbook.steps.find((s) => s.id === 'static-ip')?.risky).toBe(true);
    const missing = resolveParams(seed.runbook, { node: 'edge-01', address: '192.168.2.300/24', gateway: '192.168.2.1', nodeIp: '192.168.2.196', exportDir: '/tmp/x' });
    expect(missing).toEqual({ ok: false, problems: ['The parameter "address" must be an address with its prefix, such as 192.168.2.196/24.'] });
    expect(resolveParams(seed.runbook, { node: 'edge-01', address: '192.168.2.196/24', gateway: '192.168.2.1', nodeIp: '192.168.2.196', exportDir: '/tmp/x', extra: 1 })).toMatchObject({ ok: false, problems: ['The runbook "x509-loadbalancer-listener" has no parameter "extra".'] });
  });
});
