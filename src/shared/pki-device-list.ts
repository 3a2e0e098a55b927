/**
 * A list of devices to issue client certificates for, as a technician pastes it or a site's asset list
 * exports it: one device id per line, or CSV with optional columns. Every problem is named by its line
 * before anything is issued. Pure: the wizard and the engine read lists with this same function.
 */
import type { KeyAlgorithm, SubjectAltName, ValidityInput } from './pki-types';
import { checkValidity, classifySanList, clientIdProblem } from './pki-rules';

/** The most devices one list may name (a site with a thousand sensors, and headroom). */
export const MAX_DEVICE_LIST = 10_000;

const KEY_TYPES: readonly KeyAlgorithm[] = ['ec-p256', 'ec-p384', 'rsa-2048', 'rsa-3072', 'rsa-4096', 'ed25519'];

export interface DeviceRow {
  /** 1-based line in the pasted text or file. */
  line: number;
  /** The certificate's CN and MQTT username. */
  deviceId: string;
  /** Extra SANs; empty → the device id becomes the SAN (as for every client). */
  sans: SubjectAltName[];
  validity?: ValidityInput;
  keyAlgorithm?: KeyAlgorithm;
  /** The device's id in IoT Hub when it differs from the CN; carried into the summary CSV. */
  iothubDeviceId?: string;
}

export interface LineProblem {
  line: number;
  message: string;
}

type Column = 'id' | 'sans' | 'validity' | 'key' | 'iothub';

const HEADER_NAMES: Record<string, Column> = {
  id: 'id',
  device: 'id',
  deviceid: 'id',
  device_id: 'id',
  'device-id': 'id',
  cn: 'id',
  name: 'id',
  clientid: 'id',
  client_id: 'id',
  san: 'sans',
  sans: 'sans',
  validity: 'validity',
  days: 'validity',
  validity_days: 'validity',
  key: 'key',
  key_type: 'key',
  keytype: 'key',
  keyalgorithm: 'key',
  iothub: 'iothub',
  iothub_device_id: 'iothub',
  iothubdeviceid: 'iothub',
  hub_device_id: 'iothub',
};

const POSITIONAL: readonly Column[] = ['id', 'sans', 'validity', 'key', 'iothub'];

// IoT Hub device ids: up to 128 ASCII letters, digits and - . % _ * ? ! ( ) , : = @ $ ' (its docs,
// "Device identity properties").
const IOTHUB_ID = /^[A-Za-z0-9\-.%_*?!(),:=@$']{1,128}$/;

/** Splits one CSV line (RFC 4180 quoting) on the given delimiter. */
function splitCsv(line: string, delimiter: string): string[] {
  const cells: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cur += ch;
    } else if (ch === '"' && cur.trim() === '') {
      quoted = true;
      cur = '';
    } else if (ch === delimiter) {
      cells.push(cur.trim());
      cur = '';
    } else cur += ch;
  }
  cells.push(cur.trim());
  return cells;
}

function parseValidityCell(cell: string): ValidityInput | string {
  const m = /^(\d+)\s*(d|days?|h|hours?)?$/i.exec(cell);
  if (!m) return `The validity "${cell}" is not a whole number of days or hours (e.g. 825, 825d or 72000h).`;
  const n = Number(m[1]);
  const v: ValidityInput = m[2] && m[2].toLowerCase().startsWith('h') ? { hours: n } : { days: n };
  const checked = checkValidity(v);
  return checked.ok ? v : checked.message;
}

/**
 * Reads a device list. Lines that are empty or start with '#' are skipped; a first line whose first cell
 * is a column name (device_id, id, cn, name…) is a header naming the columns; otherwise the columns are
 * device id, SANs, validity, key type, IoT Hub device id, in that order. SANs within a cell are separated
 * by spaces or '|'. Repeated ids are problems (on the later line, naming the first), never merged.
 */
export function parseDeviceList(text: string, maxRows = MAX_DEVICE_LIST): { rows: DeviceRow[]; problems: LineProblem[] } {
  const rows: DeviceRow[] = [];
  const problems: LineProblem[] = [];
  const lines = text.replace(/^\uFEFF/, '').split(/\r\n|\n|\r/);
  const firstData = lines.find((l) => l.trim() !== '' && !l.trim().startsWith('#')) ?? '';
  const delimiter = firstData.includes('\t') ? '\t' : firstData.includes(',') ? ',' : firstData.includes(';') ? ';' : null;
  let columns: readonly Column[] = POSITIONAL;
  let headerSeen = false;
  const seen = new Map<string, number>();
  for (const [i, raw] of lines.entries()) {
    const line = i + 1;
    const trimmed = raw.trim();
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    const cells = delimiter ? splitCsv(raw, delimiter) : [trimmed];
    if (!headerSeen) {
      headerSeen = true;
      const named = cells.map((c) => HEADER_NAMES[c.toLowerCase().replace(/\s+/g, '_')]);
      if (named[0] === 'id') {
        const unknown = cells.find((c, k) => named[k] === undefined && c !== '');
        if (unknown) problems.push({ line, message: `The column "${unknown}" is not one Fieldbench reads. Use device_id, sans, validity, key and iothub_device_id.` });
        columns = named.map((n) => n ?? 'id');
        continue;
      }
    }
    if (rows.length >= maxRows) {
      problems.push({ line, message: `The list names more than ${maxRows} devices. Split it into several lists.` });
      break;
    }
    const cell = (c: Column): string => {
      const k = columns.indexOf(c);
      return k >= 0 ? (cells[k] ?? '').trim() : '';
    };
    if (cells.length > columns.length && cells.slice(columns.length).some((c) => c !== '')) {
      problems.push({ line, message: `Line ${line} has ${cells.length} columns; the list has ${columns.length}. Quote values that contain the delimiter.` });
      continue;
    }
    const deviceId = cell('id');
    const idProblem = clientIdProblem(deviceId);
    if (idProblem) {
      problems.push({ line, message: idProblem });
      continue;
    }
    const first = seen.get(deviceId);
    if (first !== undefined) {
      problems.push({ line, message: `"${deviceId}" is already listed on line ${first}. Each device needs its own id.` });
      continue;
    }
    seen.set(deviceId, line);
    const row: DeviceRow = { line, deviceId, sans: [] };
    const sanCell = cell('sans');
    if (sanCell) {
      const typed = classifySanList(sanCell.split(/[\s|]+/).filter(Boolean));
      for (const p of typed.problems) problems.push({ line, message: p.problem });
      row.sans = typed.sans;
    }
    const validityCell = cell('validity');
    if (validityCell) {
      const v = parseValidityCell(validityCell);
      if (typeof v === 'string') problems.push({ line, message: v });
      else row.validity = v;
    }
    const keyCell = cell('key').toLowerCase();
    if (keyCell) {
      if ((KEY_TYPES as readonly string[]).includes(keyCell)) row.keyAlgorithm = keyCell as KeyAlgorithm;
      else problems.push({ line, message: `"${keyCell}" is not a key type. Use one of ${KEY_TYPES.join(', ')}.` });
    }
    const hubCell = cell('iothub');
    if (hubCell) {
      if (IOTHUB_ID.test(hubCell)) row.iothubDeviceId = hubCell;
      else problems.push({ line, message: `"${hubCell}" cannot be an IoT Hub device id (up to 128 letters, digits and - . % _ * ? ! ( ) , : = @ $ ').` });
    }
    rows.push(row);
  }
  return { rows, problems };
}

/** One value for a CSV cell: quoted when it holds a delimiter, a quote or a line break. */
export function csvCell(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}
