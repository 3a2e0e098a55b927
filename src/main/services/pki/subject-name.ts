import { FieldbenchError } from '@shared/errors';
import type { SubjectInput } from '@shared/pki-types';
import { x509 } from './x509-runtime';

/** The X.509 name for a typed subject, in the conventional order C, ST, L, O, OU, CN. */
export function buildName(subject: SubjectInput): x509.Name {
  const cn = subject.commonName?.trim() ?? '';
  if (cn === '') throw new FieldbenchError('pki.bad-subject', 'The common name (CN) is empty. Type a name such as "AIO42 Root CA" or "client42a".');
  if (cn.length > 64) throw new FieldbenchError('pki.bad-subject', 'The common name is longer than 64 characters, which X.509 does not allow. Shorten it.');
  const country = subject.country?.trim();
  if (country && !/^[A-Za-z]{2}$/.test(country)) throw new FieldbenchError('pki.bad-subject', 'The country must be a two-letter code such as "NL" or "US".');
  const rdns: x509.JsonName = [];
  const add = (type: string, value: string | undefined): void => {
    const v = value?.trim();
    if (v) rdns.push({ [type]: [v] });
  };
  add('C', country?.toUpperCase());
  add('ST', subject.state);
  add('L', subject.locality);
  add('O', subject.organization);
  add('OU', subject.organizationalUnit);
  add('CN', cn);
  return new x509.Name(rdns);
}
