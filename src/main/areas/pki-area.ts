import type { ImportFileResult } from '@shared/pki-types';
import type { Area, AreaDeps, AreaHandlers } from '../area';
import { operation as op, type Handler } from '../ipc/dispatcher';
import { PkiService } from '../services/pki/pki-service';
import { PKI_SECTION } from '../services/pki/pki-section';
import { EXPIRING_WITHIN_DAYS } from '../services/pki/certificate-profiles';
import { throwIfAborted } from '../services/pki/key-generator';

export type { PkiService } from '../services/pki/pki-service';

const BASE64 = /^[A-Za-z0-9+/\r\n]*={0,2}[\r\n]*$/;
const BAD_ENCODING = { code: 'pki.import.bad-encoding', message: 'The file did not arrive intact (its transfer encoding is broken). Pick the file again.' };

/**
 * Wires the PKI engine into the app: one PkiService over the open vault (given to later areas as
 * `service`), a handler per `pki.*` call, progress and cancellation for key generation, and
 * `pki.onChanged` whenever a save touches the PKI section or the vault locks or unlocks. Wiring only:
 * every rule and view lives in services/pki.
 */
export function createPkiArea(deps: AreaDeps) {
  const service = new PkiService({ vault: deps.vault });

  const detach = deps.vault.onChange((e) => {
    if (e.kind === 'saved' && !(e.sections ?? []).includes(PKI_SECTION)) return;
    deps.hub.emit('pki.onChanged', { reason: e.kind });
  });

  const handlers = {
    'pki.defaults': (() => service.wizardDefaults()) satisfies Handler<'pki.defaults'>,
    'pki.list': (() => service.overview()) satisfies Handler<'pki.list'>,
    'pki.get': (({ id }) => service.get(id)) satisfies Handler<'pki.get'>,
    'pki.resolve': (({ ref, ca }) => service.resolve(ref, ca === undefined ? {} : { ca })) satisfies Handler<'pki.resolve'>,
    'pki.createRoot': ((req, ctx) => service.createRoot(req, op(ctx))) satisfies Handler<'pki.createRoot'>,
    'pki.createIntermediate': ((req, ctx) => service.createIntermediate(req, op(ctx))) satisfies Handler<'pki.createIntermediate'>,
    'pki.createServer': ((req, ctx) => service.createServer(req, op(ctx))) satisfies Handler<'pki.createServer'>,
    'pki.createClients': ((req, ctx) => service.createClients(req, op(ctx))) satisfies Handler<'pki.createClients'>,
    'pki.preview': ((req) => service.preview(req)) satisfies Handler<'pki.preview'>,
    'pki.planClientList': ((req) => service.planClientList(req)) satisfies Handler<'pki.planClientList'>,
    'pki.createClientList': ((req, ctx) => service.createClientList(req, op(ctx))) satisfies Handler<'pki.createClientList'>,

    'pki.import': (async ({ files }, ctx) => {
      // Fail before reading anything when there is nowhere to put it.
      deps.vault.getSection(PKI_SECTION, null);
      const results: ImportFileResult[] = [];
      for (const [i, file] of files.entries()) {
        throwIfAborted(ctx.signal, 'The import');
        ctx.progress(`Reading ${file.name}…`, i / files.length);
        const bytes = decodeBase64(file.dataBase64);
        if (!bytes) {
          results.push({ fileName: file.name, certificatesImported: 0, keysImported: 0, duplicates: 0, keysMatched: 0, keysUnmatched: 0, certificateIds: [], errors: [BAD_ENCODING], notes: [] });
          continue;
        }
        results.push(await service.importFile({ fileName: file.name, data: bytes, ...(file.passphrase === undefined ? {} : { passphrase: file.passphrase }) }, ctx.signal));
      }
      ctx.progress('Done', 1);
      return { results };
    }) satisfies Handler<'pki.import'>,

    'pki.inspectFile': (async ({ name, dataBase64, passphrase }, ctx) => {
      const bytes = decodeBase64(dataBase64);
      if (!bytes) return { fileName: name, certificates: [], keysFound: 0, errors: [BAD_ENCODING], notes: [] };
      return service.inspectFile(name, bytes, passphrase, ctx.signal);
    }) satisfies Handler<'pki.inspectFile'>,

    'pki.renew': (({ id, ...rest }, ctx) => service.renew(id, rest, op(ctx))) satisfies Handler<'pki.renew'>,
    'pki.revoke': (({ id, reason }) => service.revoke(id, reason)) satisfies Handler<'pki.revoke'>,
    'pki.crl': (({ caId, nextUpdateDays }) => service.crlFile(caId, nextUpdateDays)) satisfies Handler<'pki.crl'>,
    'pki.verify': ((req) => ('id' in req ? service.verify(req.id) : service.verifyPresented(req.pem))) satisfies Handler<'pki.verify'>,
    'pki.checkHost': (({ id, host }) => service.checkHost(id, host)) satisfies Handler<'pki.checkHost'>,
    'pki.expiry': (() => ({ entries: service.expiryOverview(), expiringWithinDays: EXPIRING_WITHIN_DAYS })) satisfies Handler<'pki.expiry'>,
    'pki.exportPem': (({ id, chain }) => service.exportPemFile(id, chain)) satisfies Handler<'pki.exportPem'>,
    'pki.remove': (({ id }) => service.remove(id)) satisfies Handler<'pki.remove'>,
  };

  const area: Area<AreaHandlers<'pki'>, PkiService> = { handlers, service, dispose: () => void detach() };
  return area;
}

export type PkiArea = ReturnType<typeof createPkiArea>;

/** The transport's Base64, or null when it did not arrive intact. */
function decodeBase64(text: string): Buffer | null {
  if (!BASE64.test(text)) return null;
  const stripped = text.replace(/[\r\n]/g, '');
  if (stripped.length % 4 === 1) return null;
  return Buffer.from(stripped, 'base64');
}
