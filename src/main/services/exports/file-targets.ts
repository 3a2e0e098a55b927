import { FieldbenchError } from '@shared/errors';
import { leavesOf, needKey, type BuiltExport, type Cert, type FileSpec, type TargetContext } from './export-model';

const CHAIN_WORDS = { leaf: 'the certificate alone', bundle: 'the certificate followed by its issuing intermediates (what a broker\'s tls.crt holds)', full: 'the certificate, its intermediates and the root' } as const;

/** The CA files of a selection, once each: the roots that verify each chosen certificate. */
function caFiles(ctx: TargetContext, certs: readonly Cert[], name: (ca: Cert) => string, content: (ca: Cert) => () => string | Uint8Array, purpose: (ca: Cert, of: Cert) => string): FileSpec[] {
  // A root picked itself already has its own file.
  const seen = new Set<string>(certs.map((c) => c.id));
  const out: FileSpec[] = [];
  for (const c of certs) {
    const root = ctx.rootOf(c);
    if (seen.has(root.id)) continue;
    seen.add(root.id);
    out.push({ path: name(root), role: 'ca', certificate: root.cn, encrypted: false, secret: false, purpose: purpose(root, c), content: content(root) });
  }
  return out;
}

/** pem: the certificate with the chain asked for, its root CA, and (when asked) the PKCS#8 key. */
export function pemTarget(ctx: TargetContext): BuiltExport {
  const files: FileSpec[] = [];
  const keys: Cert[] = [];
  for (const c of ctx.certs) {
    files.push({
      path: `${c.slug}.crt`,
      role: ctx.req.chain === 'leaf' ? 'certificate' : 'chain',
      certificate: c.cn,
      encrypted: false,
      secret: false,
      purpose: `${c.cn}: ${CHAIN_WORDS[ctx.req.chain]}, PEM.`,
      content: () => ctx.chainPem(c),
    });
    if (ctx.req.includeKey) {
      if (!c.summary.hasPrivateKey) throw new FieldbenchError('pki.no-private-key', `The vault has no private key for "${c.cn}", so it cannot be exported. Leave out --include-key, or import the key first.`);
      keys.push(c);
      files.push({ path: `${c.slug}.key`, role: 'key', certificate: c.cn, encrypted: ctx.req.passphrase !== undefined, secret: true, purpose: `${c.cn}: private key, PKCS#8 PEM${ctx.req.passphrase ? ', encrypted with the passphrase (AES-256)' : ''}.`, content: ctx.key(c) });
    }
  }
  files.push(...caFiles(ctx, ctx.certs, (ca) => `${ca.slug}.crt`, (ca) => () => ctx.pki.exportCertificatePem(ca.id), (ca, of) => `${ca.cn}: the root CA that ${of.cn} chains to; give it to whoever has to trust ${of.cn}.`));
  return {
    title: 'PEM files',
    files,
    keys,
    notes: [],
    readme: ['Check a certificate against its CA with `openssl verify -CAfile ROOT.crt -untrusted CERT.crt CERT.crt`.', ...(ctx.req.passphrase ? ['The key is encrypted: `openssl pkey -in NAME.key` asks for the passphrase.'] : [])],
  };
}

/** der: DER certificates and every CA above them, as OPC UA trust and issuer lists take them. */
export function derTarget(ctx: TargetContext): BuiltExport {
  if (ctx.req.includeKey) throw new FieldbenchError('exports.keyNotInTarget', 'The der target holds certificates only (OPC UA trust lists). Leave out --include-key, or use pem or pkcs12 to hand over a key.');
  const files: FileSpec[] = [];
  const seen = new Set<string>();
  for (const c of ctx.certs) {
    for (const link of ctx.chainOf(c)) {
      if (seen.has(link.id)) continue;
      seen.add(link.id);
      const own = link.id === c.id;
      files.push({
        path: `${link.slug}.der`,
        role: own ? 'certificate' : 'ca',
        certificate: link.cn,
        encrypted: false,
        secret: false,
        purpose: own ? `${link.cn}: the certificate, DER.` : `${link.cn}: CA of ${c.cn}, DER; put it in the issuer list (intermediate) or trust list (root).`,
        content: () => ctx.pki.exportCertificateDer(link.id),
      });
    }
  }
  return { title: 'DER certificates', files, keys: [], notes: [], readme: ['Each file is one certificate in DER. `openssl x509 -inform der -in NAME.der -noout -subject` shows which is which.'] };
}

/** pkcs12 / pkcs12-legacy: key and chain in one password-protected file; friendly name = CN. */
export function pkcs12Target(legacy: boolean) {
  return (ctx: TargetContext): BuiltExport => {
    needKey(ctx, 'A PKCS#12 file');
    const password = ctx.req.passphrase;
    if (password === undefined) throw new FieldbenchError('exports.passphraseRequired', 'A PKCS#12 file is protected by a password. Give one (--passphrase-stdin, or the passphrase field); the device asks for it on import.');
    const chain = ({ leaf: 'none', bundle: 'chain', full: 'full' } as const)[ctx.req.chain];
    const leaves = leavesOf(ctx, 'any', legacy ? 'pkcs12-legacy' : 'pkcs12');
    const files: FileSpec[] = leaves.map((c) => ({
      path: `${c.slug}.p12`,
      role: 'pkcs12' as const,
      certificate: c.cn,
      encrypted: true,
      secret: true,
      purpose: `${c.cn}: key and ${CHAIN_WORDS[ctx.req.chain]} in one file, ${legacy ? '3DES with a SHA-1 MAC, for older devices' : 'AES-256-CBC with a SHA-256 MAC'}; friendly name "${c.cn}".`,
      content: () => {
        ctx.key(c);
        return ctx.pki.exportPkcs12(c.id, password, { legacy, chain, friendlyName: c.cn });
      },
    }));
    return {
      title: legacy ? 'PKCS#12 for older devices (3DES, SHA-1)' : 'PKCS#12 (AES-256, SHA-256)',
      files,
      keys: leaves,
      notes: [],
      readme: [
        `Check a file with \`openssl pkcs12 -info -in NAME.p12 -noout${legacy ? ' -legacy' : ''}\` (it asks for the password).`,
        legacy ? 'OpenSSL 3 needs `-legacy` to read 3DES; the device this is for may not read anything newer.' : 'Devices that cannot read AES PKCS#12 need the pkcs12-legacy export instead.',
      ],
    };
  };
}
